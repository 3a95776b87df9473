// What `#index-file-io` resolves to outside Node (browsers, workers, edge runtimes): the same
// functions, each refusing with a typed error that says what works there instead.
import { RagloomError } from '@ragloom/core';
import type { RowSource } from './file-float-vectors.js';
import type { SectionEntry } from './index-file-format.js';
import type { FileReader } from './index-file-io.js';

function unsupported(what: string, file: string): never {
  throw new RagloomError(
    'UNSUPPORTED',
    `${what} ${file} needs a file system (Node); here, keep the index as bytes: toBytes() and hnswRetrieverFromBytes(bytes)`,
    { details: { file } },
  );
}

export async function openFileReader(file: string): Promise<FileReader> {
  return unsupported('reading the HNSW index at', file);
}

export async function openRowSource(
  _file: string,
  _dimension: number,
  _expected: SectionEntry,
): Promise<RowSource | null> {
  // Outside Node nothing was written to a file, so there are no file rows to adopt.
  return null;
}

export async function fileExists(file: string): Promise<boolean> {
  return unsupported('opening the HNSW index at', file);
}

export async function writeChunksAtomic(
  file: string,
  _chunks: readonly Uint8Array[],
  _onBytesWritten?: (written: number, total: number) => void,
): Promise<void> {
  return unsupported('saving the HNSW index to', file);
}
