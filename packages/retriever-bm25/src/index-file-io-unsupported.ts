// What `#index-file-io` resolves to outside Node (browsers, workers, edge runtimes): the same
// functions, each refusing with a typed error that says what works there instead.
import { RagloomError } from '@ragloom/core';

function unsupported(what: string, path: string): never {
  throw new RagloomError(
    'UNSUPPORTED',
    `${what} ${path} needs a file system (Node); here, keep the index as bytes: toBytes() and bm25RetrieverFromBytes(bytes)`,
    { details: { path } },
  );
}

export async function readFileBytes(path: string): Promise<Uint8Array> {
  return unsupported('reading the BM25 index at', path);
}

export async function fileExists(path: string): Promise<boolean> {
  return unsupported('opening the BM25 index at', path);
}

export async function writeFileBytes(path: string, _bytes: Uint8Array): Promise<void> {
  return unsupported('saving the BM25 index to', path);
}
