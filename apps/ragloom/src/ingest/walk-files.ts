import { existsSync } from 'node:fs';
import { lstat, readdir, realpath, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RagloomError } from '@ragloom/core';
import type { SkippedFile } from '../loaders/loaded-document.js';
import { type FollowSymlinks, type IgnoreScope, linkAllowed, rootIgnoreScope } from './walk-policy.js';

export interface FoundFile {
  readonly path: string;
  /** How the file is named in the index: relative to the config folder (with /), or absolute outside it. */
  readonly source: string;
}

/** The name a file gets in the index: stable across machines when it lives under the config folder. */
export function sourceName(path: string, baseDir: string): string {
  const rel = relative(baseDir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path.split(sep).join('/');
  return rel.split(sep).join('/');
}

export interface WalkOptions {
  readonly baseDir: string;
  readonly extensions: readonly string[];
  /** gitignore-style patterns relative to each walked folder (`node_modules`, `*.log`, `drafts/**`). */
  readonly exclude: readonly string[];
  /** Symbolic links: followed only when they stay inside the walked folder (default), never, or always. */
  readonly followSymlinks?: FollowSymlinks;
  /** Honour `.gitignore` files in walked folders (default true). */
  readonly gitignore?: boolean;
}

export interface WalkResult {
  readonly files: FoundFile[];
  /** Symbolic links the policy does not follow (and broken ones), each with its reason. */
  readonly refused: SkippedFile[];
  /** What the walk left out of folders, each with its reason: hidden, ignored, excluded, unsupported. */
  readonly excluded: SkippedFile[];
}

/**
 * Lists the files to ingest under `paths` (files and folders, relative to the working folder). Folders are
 * walked recursively, keeping the configured extensions and leaving out hidden names, `.gitignore`d and
 * excluded paths, and symbolic links the policy does not follow (by default, links that leave the folder);
 * each left-out entry is reported with its reason. A path named explicitly is always taken. A missing
 * path is an error, not an empty ingest.
 */
export async function walkFiles(paths: readonly string[], options: WalkOptions): Promise<WalkResult> {
  const extensions = new Set(options.extensions.map((e) => e.toLowerCase()));
  const policy = options.followSymlinks ?? 'inside';
  const found = new Map<string, FoundFile>();
  const refused: SkippedFile[] = [];
  const excluded: SkippedFile[] = [];
  const add = (path: string) => found.set(path, { path, source: sourceName(path, options.baseDir) });
  const skip = (path: string, reason: string) =>
    excluded.push({ source: sourceName(path, options.baseDir), reason });
  const refuse = (path: string, reason: string) =>
    refused.push({ source: sourceName(path, options.baseDir), reason });

  /** `realRoot`: the walked folder's real path, which links must stay inside; `seen`: folders on this branch. */
  async function walk(dir: string, realRoot: string, ignored: IgnoreScope, seen: ReadonlySet<string>) {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const full = join(dir, entry.name);
      if (entry.name.startsWith('.')) {
        skip(full, 'hidden');
        continue;
      }
      let isDirectory = entry.isDirectory();
      let isFile = entry.isFile();
      if (entry.isSymbolicLink()) {
        let target: string;
        try {
          target = await realpath(full);
        } catch {
          // A broken link is reported by ingest as unreadable, not silently dropped.
          if (policy === 'never') refuse(full, 'a symbolic link (ingest.followSymlinks is "never")');
          else if (extensions.has(extname(entry.name).toLowerCase())) add(full);
          continue;
        }
        if (!linkAllowed(policy, realRoot, target)) {
          refuse(
            full,
            policy === 'never'
              ? 'a symbolic link (ingest.followSymlinks is "never")'
              : `a symbolic link to ${target}, outside the folder being ingested (ingest.followSymlinks: "inside")`,
          );
          continue;
        }
        const info = await stat(target);
        isDirectory = info.isDirectory();
        isFile = info.isFile();
      }
      const reason = ignored.reasonFor(full, isDirectory);
      if (reason) {
        skip(full, reason);
        continue;
      }
      if (isDirectory) {
        const real = await realpath(full);
        if (seen.has(real)) {
          refuse(full, 'a symbolic link back to a folder already being walked');
          continue;
        }
        await walk(full, realRoot, ignored.enter(full), new Set([...seen, real]));
      } else if (isFile) {
        if (extensions.has(extname(entry.name).toLowerCase())) add(full);
        else
          skip(full, `unsupported file type ${extname(entry.name) || '(no extension)'} (ingest.extensions)`);
      }
    }
  }

  for (const p of paths) {
    const path = resolve(p);
    if (!existsSync(path)) {
      throw new RagloomError('NOT_FOUND', `${p} does not exist`, { details: { path } });
    }
    const info = await stat(path);
    if (info.isDirectory()) {
      const real = await realpath(path);
      await walk(
        path,
        real,
        rootIgnoreScope(path, options.exclude, options.gitignore ?? true),
        new Set([real]),
      );
    } else if ((await lstat(path)).isSymbolicLink() && policy === 'never') {
      refuse(path, 'a symbolic link (ingest.followSymlinks is "never")');
    } else add(path);
  }
  return { files: [...found.values()], refused, excluded };
}

/** Whether `source` (an index name) lies under one of the walked roots, so its absence means deletion. */
export function isUnderRoots(source: string, roots: readonly string[], baseDir: string): boolean {
  const path = isAbsolute(source) ? source : resolve(baseDir, source);
  return roots.some((root) => {
    const r = resolve(root);
    const rel = relative(r, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}
