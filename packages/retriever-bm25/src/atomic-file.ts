import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RagloomError } from '@ragloom/core';

/**
 * Writes a file so that readers see the old or the new content, never a mix, even after a crash:
 * write a temporary file beside it, fsync it, rename it over the target, then fsync the folder so
 * the rename itself is durable.
 */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const file = await open(temporary, 'w');
    try {
      await file.writeFile(bytes);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true }).catch(() => undefined); // best effort: the folder may not exist
    throw new RagloomError('INVALID_ARGUMENT', `cannot write ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
  try {
    const directory = await open(folder, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch {
    // Some platforms (Windows) cannot fsync a folder; the rename is still atomic there.
  }
}

/** Reads a whole file; a missing file is `NOT_FOUND`. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new RagloomError('NOT_FOUND', `no BM25 index at ${path}`, { cause, details: { path } });
    }
    throw new RagloomError('INVALID_ARGUMENT', `cannot read ${path}: ${(cause as Error).message}`, {
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
    throw new RagloomError('INVALID_ARGUMENT', `cannot open ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
}
