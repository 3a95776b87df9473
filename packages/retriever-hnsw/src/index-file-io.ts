import { RagloomError } from '@ragloom/core';

/**
 * Node's file access for save/load, reached through the `#index-file-io` import (package.json "imports"):
 * Node gets this module, browsers and other runtimes get index-file-io-unsupported.ts, so a bundler
 * never meets `node:fs` or `node:crypto`.
 */
async function nodeModules() {
  return { fs: await import('node:fs/promises') };
}

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** Reads parts of a file into caller-owned buffers (so large sections land where they are used). */
export interface FileReader {
  readonly size: number;
  readInto(position: number, target: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

/** Opens a file for `FileReader` reads; a missing file is `NOT_FOUND`. */
export async function openFileReader(file: string): Promise<FileReader> {
  const { fs } = await nodeModules();
  let handle: Awaited<ReturnType<typeof fs.open>>;
  try {
    handle = await fs.open(file, 'r');
  } catch (cause) {
    if (errorCode(cause) === 'ENOENT') {
      throw new RagloomError('NOT_FOUND', `no HNSW index file at ${file}`, { cause, details: { file } });
    }
    throw cause;
  }
  const { size } = await handle.stat();
  return {
    size,
    async readInto(position, target) {
      let done = 0;
      while (done < target.byteLength) {
        // Large sections in pieces: one read call is capped at 2 GiB.
        const length = Math.min(target.byteLength - done, 1 << 30);
        const { bytesRead } = await handle.read(target, done, length, position + done);
        if (bytesRead === 0) {
          throw new RagloomError('INDEX_CORRUPT', `${file} ended early (it changed while being read)`, {
            details: { file },
          });
        }
        done += bytesRead;
      }
    },
    close: () => handle.close(),
  };
}

export async function fileExists(file: string): Promise<boolean> {
  const { fs } = await nodeModules();
  try {
    await fs.access(file);
    return true;
  } catch {
    return false;
  }
}

/**
 * Writes `chunks` to `file` with core's `writeFileAtomic` (temp file, fsync, rename, fsync of the
 * folder; a failure is `IO_ERROR`), reporting the bytes handed to the file as it goes.
 */
export async function writeChunksAtomic(
  file: string,
  chunks: readonly Uint8Array[],
  onBytesWritten?: (written: number, total: number) => void,
): Promise<void> {
  const { writeFileAtomic } = await import('@ragloom/core/node');
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  async function* counted() {
    let written = 0;
    for (const chunk of chunks) {
      yield chunk;
      written += chunk.byteLength;
      onBytesWritten?.(written, total);
    }
  }
  await writeFileAtomic(file, counted());
}
