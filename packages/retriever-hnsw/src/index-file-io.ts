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

/** Reads a whole file; a missing file is `NOT_FOUND`. */
export async function readFileBytes(file: string): Promise<Uint8Array> {
  const { fs } = await nodeModules();
  try {
    return await fs.readFile(file);
  } catch (cause) {
    if (errorCode(cause) === 'ENOENT') {
      throw new RagloomError('NOT_FOUND', `no HNSW index file at ${file}`, { cause, details: { file } });
    }
    throw cause;
  }
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
