import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RagloomError } from '../errors/ragloom-error.js';

async function syncFolder(folder: string): Promise<void> {
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

/**
 * Writes a file so that readers — and a crash or Ctrl-C — see the old content or the new one, never a mix:
 * a temporary file beside the target, fsync, rename over the target, fsync the folder. `data` may be an
 * async iterable of chunks for files too big to build in memory. Failures are `IO_ERROR` naming the path.
 */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array>,
): Promise<void> {
  const folder = dirname(path);
  const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await mkdir(folder, { recursive: true });
    const file = await open(temporary, 'w');
    try {
      if (typeof data === 'string' || data instanceof Uint8Array) await file.writeFile(data);
      else
        for await (const chunk of data)
          await (typeof chunk === 'string' ? file.write(chunk) : file.write(chunk));
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (cause) {
    await rm(temporary, { force: true }).catch(() => undefined); // best effort: the folder may not exist
    throw new RagloomError('IO_ERROR', `cannot write ${path}: ${(cause as Error).message}`, {
      cause,
      details: { path },
    });
  }
  await syncFolder(folder);
}
