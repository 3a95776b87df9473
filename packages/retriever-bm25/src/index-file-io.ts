// Node's file access for index files. The package's main entry reaches this module through the
// `#index-file-io` import (package.json "imports"): Node gets this file, browsers and other runtimes
// get index-file-io-unsupported.ts, so a bundler never meets `node:fs` or `node:crypto`.
import { open, readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';

/** Reads a whole file; a missing file is `NOT_FOUND`. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RagloomError('NOT_FOUND', `no BM25 index at ${path}`, { cause, details: { path } });
    }
    throw new RagloomError('IO_ERROR', `cannot read ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
}

/** Whether a file exists (for open-or-create). */
export async function fileExists(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'r');
    await file.close();
    return true;
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw new RagloomError('IO_ERROR', `cannot open ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
}

/** Writes the index file atomically (temp file, fsync, rename; a failure is `IO_ERROR`). */
export async function writeFileBytes(path: string, bytes: Uint8Array): Promise<void> {
  await writeFileAtomic(path, bytes);
}
