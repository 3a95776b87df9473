import { RagloomError } from '@ragloom/core';

/**
 * File access for save/load. Node modules are imported lazily, so the package still loads in a
 * browser (where only `toBytes` / `hnswRetrieverFromBytes` apply).
 */
async function nodeModules() {
  const [fs, path] = await Promise.all([import('node:fs/promises'), import('node:path')]);
  return { fs, path };
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
 * Writes `chunks` to `file` atomically: into a temporary file in the same directory, fsync, then
 * rename over the target and fsync the directory. A crash leaves the old file or the new one,
 * never a mix; the temporary file is removed on failure.
 */
export async function writeFileAtomic(
  file: string,
  chunks: readonly Uint8Array[],
  onBytesWritten?: (written: number, total: number) => void,
): Promise<void> {
  const { fs, path } = await nodeModules();
  const directory = path.dirname(path.resolve(file));
  await fs.mkdir(directory, { recursive: true });
  const temp = `${file}.${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.tmp`;
  const total = chunks.reduce((n, c) => n + c.byteLength, 0);
  let written = 0;
  const handle = await fs.open(temp, 'wx');
  try {
    for (const chunk of chunks) {
      let offset = 0;
      while (offset < chunk.byteLength) {
        const { bytesWritten } = await handle.write(chunk, offset, chunk.byteLength - offset);
        offset += bytesWritten;
      }
      written += chunk.byteLength;
      onBytesWritten?.(written, total);
    }
    await handle.sync();
    await handle.close();
    await fs.rename(temp, file);
  } catch (error) {
    await handle.close().catch(() => {});
    await fs.rm(temp, { force: true }).catch(() => {});
    throw error;
  }
  // Make the rename itself durable. Some platforms cannot fsync a directory; the data is safe anyway.
  try {
    const dir = await fs.open(directory, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // EISDIR / EPERM on Windows and some network file systems
  }
}
