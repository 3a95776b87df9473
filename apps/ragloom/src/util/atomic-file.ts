import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { RagloomError } from '@ragloom/core';

/**
 * Writes a file so that a crash or Ctrl-C leaves either the old content or the new one, never a
 * mix: write a sibling temp file, fsync it, rename over the target (atomic on POSIX), fsync the folder.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  try {
    const dir = await open(dirname(path), 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // Some platforms (Windows) cannot fsync a directory; the rename is still atomic there.
  }
}

/** Reads a JSON file written by ragloom, naming the file when it is missing a field or not JSON. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RagloomError('NOT_FOUND', `${what} ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RagloomError(
      'INDEX_CORRUPT',
      `${what} ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}

/** Streams lines into a file atomically (temp file, fsync, rename): for dumps too big to build in memory. */
export async function writeLinesAtomic(path: string, lines: AsyncIterable<string>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'w');
  try {
    let buffer = '';
    for await (const line of lines) {
      buffer += `${line}\n`;
      if (buffer.length >= 1 << 20) {
        await handle.write(buffer);
        buffer = '';
      }
    }
    if (buffer) await handle.write(buffer);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(temp, { force: true });
    throw error;
  }
}
