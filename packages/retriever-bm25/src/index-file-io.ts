import { open, readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';

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
