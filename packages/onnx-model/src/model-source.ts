import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { resolveHubFile } from './hub-file.js';
import type { HubOptions } from './hub-options.js';
import { listHubFolder, listLocalFolder } from './hub-tree.js';
import type { FolderListing, ModelFiles } from './onnx-file.js';

/**
 * Where a model's files come from: a local folder in Hugging Face layout, or a hub repository fetched into the
 * cache on first use. Adapters ask for files by their path inside the repository (`onnx/model.onnx`).
 */
export interface ModelSource {
  /** The reference as given (folder path or repo id). */
  readonly ref: string;
  readonly kind: 'local' | 'hub';
  /** The local folder, for `kind: 'local'`. */
  readonly dir?: string;
  /** `org/name`, for `kind: 'hub'`. */
  readonly repoId?: string;
  /** The local path of a file the model must have; `MODEL_NOT_FOUND` (or `DOWNLOAD_FAILED`) names it if missing. */
  file(path: string): Promise<string>;
  /** The local path of a file the model may have (`modules.json`, `generation_config.json`), else undefined. */
  optionalFile(path: string): Promise<string | undefined>;
  /**
   * The files directly in a folder of the model (`onnx`, or `''` for the top level), to say what it has when a
   * file is missing. For hub ids: the hub's file tree, or offline what is cached; undefined when unknown.
   */
  listFolder(folder: string): Promise<FolderListing | undefined>;
}

/**
 * A source as {@link ModelFiles} for choosing the ONNX file. `has` fetches a hub file it finds (it is needed
 * anyway) and remembers its local path, which `localPath` then returns without asking the hub again.
 */
export function modelSourceFiles(
  source: ModelSource,
): ModelFiles & { localPath(path: string): Promise<string> } {
  const found = new Map<string, string>();
  return {
    async has(path) {
      const local = await source.optionalFile(path);
      if (local !== undefined) found.set(path, local);
      return local !== undefined;
    },
    list: (folder) => source.listFolder(folder),
    localPath: async (path) => found.get(path) ?? source.file(path),
  };
}

const HUB_ID = /^[A-Za-z0-9][\w.-]*(\/[A-Za-z0-9][\w.-]*)?$/;

/** Is `ref` a local folder rather than a hub id? Paths (absolute, ./, ../, ~) always are; so is an existing folder. */
export function isLocalModelRef(ref: string): boolean {
  if (isAbsolute(ref) || /^(\.{1,2}|~)([/\\]|$)/.test(ref)) return true;
  if (existsSync(ref) && statSync(ref).isDirectory()) return true;
  return !HUB_ID.test(ref);
}

function checkRepoPath(path: string): void {
  if (
    path.length === 0 ||
    isAbsolute(path) ||
    path.split(/[/\\]/).some((part) => part === '..' || part === '')
  ) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `model file path must be relative inside the model, got "${path}"`,
      {
        details: { file: path },
      },
    );
  }
}

/**
 * Opens a model reference: a local folder (`./models/bge-small`, `/abs/path`) or a Hugging Face repo id
 * (`Xenova/all-MiniLM-L6-v2`). Nothing is read or downloaded until a file is asked for.
 */
export function openModelSource(ref: string, options: HubOptions = {}): ModelSource {
  if (typeof ref !== 'string' || ref.trim().length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', 'model must be a local folder or a Hugging Face repo id', {
      details: { model: ref },
    });
  }
  if (isLocalModelRef(ref)) {
    const dir = resolve(ref.startsWith('~') ? join(homedir(), ref.slice(1)) : ref);
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new RagloomError('MODEL_NOT_FOUND', `model folder ${dir} does not exist`, {
        details: { model: ref, dir },
      });
    }
    const lookup = (path: string): string | undefined => {
      checkRepoPath(path);
      const full = join(dir, path);
      return existsSync(full) ? full : undefined;
    };
    return {
      ref,
      kind: 'local',
      dir,
      async file(path) {
        const full = lookup(path);
        if (full === undefined) {
          throw new RagloomError('MODEL_NOT_FOUND', `model file ${join(dir, path)} does not exist`, {
            details: { model: ref, file: path, path: join(dir, path) },
          });
        }
        return full;
      },
      async optionalFile(path) {
        return lookup(path);
      },
      listFolder: async (folder) => {
        if (folder !== '') checkRepoPath(folder);
        return listLocalFolder(dir, folder);
      },
    };
  }
  return {
    ref,
    kind: 'hub',
    repoId: ref,
    async file(path) {
      checkRepoPath(path);
      const local = await resolveHubFile(ref, path, options);
      if (local === undefined) throw new RagloomError('MODEL_NOT_FOUND', `${path} not found in ${ref}`);
      return local;
    },
    async optionalFile(path) {
      checkRepoPath(path);
      return resolveHubFile(ref, path, { ...options, optional: true });
    },
    listFolder: async (folder) => {
      if (folder !== '') checkRepoPath(folder);
      return listHubFolder(ref, folder, options);
    },
  };
}
