import { join, posix } from 'node:path';
import { isRagloomError, type RagloomError } from '@ragloom/core';
import type { HubOptions } from './hub-options.js';
import { readOptionalModelJson } from './model-config.js';
import { openModelSource } from './model-source.js';
import {
  chooseOnnxFile,
  describeOnnxFile,
  type FolderListing,
  type ModelFiles,
  type OnnxFileChoice,
  type OnnxFileOptions,
} from './onnx-file.js';

/** What {@link inspectModelFiles} found. */
export type ModelFilesReport =
  /** The file the adapter would load, e.g. `onnx/model_q4f16.onnx (dtype q4f16 from config.json)`. */
  | { readonly status: 'ok'; readonly choice: OnnxFileChoice; readonly summary: string }
  /** A file is missing or unreadable; `summary` names it and what to set instead (`...: set dtype 'q4f16'`). */
  | { readonly status: 'problem'; readonly summary: string; readonly error: RagloomError }
  /** A hub model that is neither cached nor listable (offline): nothing can be said yet. */
  | { readonly status: 'unknown'; readonly summary: string };

/**
 * Which ONNX file (layout and dtype) an adapter would load for `ref`, and what is missing if it would fail —
 * by the same rules as loading, but without opening a session or downloading weights (for hub ids, only
 * `config.json` and the file listing are fetched; offline, the cache is read). For `ragloom doctor`.
 */
export async function inspectModelFiles(
  ref: string,
  options: OnnxFileOptions & HubOptions & { readonly baseNames?: readonly string[] } = {},
): Promise<ModelFilesReport> {
  try {
    const source = openModelSource(ref, options);
    const listings = new Map<string, Promise<FolderListing | undefined>>();
    const list = (folder: string) => {
      let listing = listings.get(folder);
      if (listing === undefined) {
        listing = source.listFolder(folder);
        listings.set(folder, listing);
      }
      return listing;
    };
    const files: ModelFiles = {
      list,
      has: async (path) => {
        const listing = await list(posix.dirname(path) === '.' ? '' : posix.dirname(path));
        return listing?.files.includes(path) ?? false;
      },
    };
    if (source.kind === 'hub' && (await list(options.subfolder ?? 'onnx')) === undefined) {
      return { status: 'unknown', summary: `${ref} is not in the Hugging Face cache` };
    }
    const config = await readOptionalModelJson(source, 'config.json');
    const choice = await chooseOnnxFile(files, config, {
      ...options,
      locate: (file) => (source.dir !== undefined ? join(source.dir, file) : `${file} of ${ref}`),
    });
    return { status: 'ok', choice, summary: describeOnnxFile(choice) };
  } catch (error) {
    if (isRagloomError(error)) return { status: 'problem', summary: error.message, error };
    throw error;
  }
}
