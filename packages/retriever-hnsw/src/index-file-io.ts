import { crc32, RagloomError } from '@ragloom/core';
import type { RowSource } from './file-float-vectors.js';
import {
  type EncodedIndexFile,
  INDEX_PREFIX_BYTES,
  indexHeaderLength,
  parseIndexHeader,
  type SectionEntry,
} from './index-file-format.js';

/**
 * Node's file access for save/load, reached through the `#index-file-io` import (package.json "imports"):
 * Node gets this module, browsers and other runtimes get index-file-io-unsupported.ts, so a bundler
 * never meets `node:fs` or `node:crypto`.
 */
async function nodeModules() {
  return { fs: await import('node:fs/promises'), fsSync: await import('node:fs') };
}

const errorCode = (error: unknown) => (error as { code?: unknown } | null)?.code;

/** Reads parts of a file into caller-owned buffers (so large sections land where they are used). */
export interface FileReader {
  readonly size: number;
  readInto(position: number, target: Uint8Array): Promise<void>;
  /** The same file as float rows for exact scores (the reader then stays open until the rows close). */
  rows(vectorsOffset: number, dimension: number): RowSource;
  close(): Promise<void>;
}

/** Opens a file for `FileReader` reads; a missing file is `NOT_FOUND`. */
export async function openFileReader(file: string): Promise<FileReader> {
  const { fs, fsSync } = await nodeModules();
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
  let rowsOpen = false;
  let closed = false;
  const closeHandle = async () => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  const endedEarly = () =>
    new RagloomError('INDEX_CORRUPT', `${file} ended early (it changed while being read)`, {
      details: { file },
    });
  /** Synchronous positioned reads of whole ranges (exact scores run inside a synchronous search). */
  const readSync = (target: Uint8Array, position: number) => {
    let done = 0;
    while (done < target.byteLength) {
      const n = fsSync.readSync(handle.fd, target, done, target.byteLength - done, position + done);
      if (n === 0) throw endedEarly();
      done += n;
    }
  };
  return {
    size,
    async readInto(position, target) {
      let done = 0;
      while (done < target.byteLength) {
        // Large sections in pieces: one read call is capped at 2 GiB.
        const length = Math.min(target.byteLength - done, 1 << 30);
        const { bytesRead } = await handle.read(target, done, length, position + done);
        if (bytesRead === 0) throw endedEarly();
        done += bytesRead;
      }
    },
    rows(vectorsOffset, dimension) {
      rowsOpen = true;
      const rowBytes = dimension * 4;
      return {
        path: file,
        readRow(row, target) {
          readSync(
            new Uint8Array(target.buffer, target.byteOffset, rowBytes),
            vectorsOffset + row * rowBytes,
          );
        },
        readRows(from, to, target) {
          readSync(
            new Uint8Array(target.buffer, target.byteOffset, (to - from) * rowBytes),
            vectorsOffset + from * rowBytes,
          );
        },
        close: closeHandle,
      };
    },
    close: () => (rowsOpen ? Promise.resolve() : closeHandle()),
  };
}

/**
 * The float rows of the index file just written at `file`, if it is still the one whose float
 * section is `expected` (another writer may have replaced it since): null otherwise.
 */
export async function openRowSource(
  file: string,
  dimension: number,
  expected: SectionEntry,
): Promise<RowSource | null> {
  let reader: FileReader;
  try {
    reader = await openFileReader(file);
  } catch {
    return null;
  }
  try {
    const prefix = new Uint8Array(Math.min(reader.size, INDEX_PREFIX_BYTES));
    await reader.readInto(0, prefix);
    const headerBytes = new Uint8Array(Math.min(reader.size, indexHeaderLength(prefix, file)));
    await reader.readInto(0, headerBytes);
    const header = parseIndexHeader(headerBytes, file, reader.size, crc32);
    const entry = header.sections.find((s) => s.name === 'vectors');
    if (
      entry === undefined ||
      entry.offset !== expected.offset ||
      entry.byteLength !== expected.byteLength ||
      entry.crc32 !== expected.crc32
    ) {
      await reader.close();
      return null;
    }
    return reader.rows(entry.offset, dimension);
  } catch {
    await reader.close();
    return null;
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
 * Writes an encoded index to `file` with core's `writeFileAtomic` (temp file, fsync, rename,
 * fsync of the folder; a failure is `IO_ERROR`), reporting the bytes handed to the file as it goes.
 */
export async function writeChunksAtomic(
  file: string,
  encoded: EncodedIndexFile,
  onBytesWritten?: (written: number, total: number) => void,
): Promise<void> {
  const { writeFileAtomic } = await import('@ragloom/core/node');
  const total = encoded.byteLength;
  async function* counted() {
    let written = 0;
    for (const chunk of encoded.chunks()) {
      yield chunk;
      written += chunk.byteLength;
      onBytesWritten?.(written, total);
    }
  }
  await writeFileAtomic(file, counted());
}
