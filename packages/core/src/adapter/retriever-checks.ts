import { validateRecords, validateSearchRequest } from '../retriever/retriever-validation.js';
import type { IndexManifest, RetrieverRecord, SearchRequest } from '../spec/retriever-v1.js';
import { throwIfAborted } from '../util/abort.js';

/**
 * What a retriever checks before an upsert touches its storage: an aborted signal first (ABORTED), then every
 * record against the manifest (ids, text, metadata, vectors), so a rejected batch stores nothing. Returns the
 * vectors as Float32Arrays for a dense index.
 */
export function checkUpsert(
  records: readonly RetrieverRecord[],
  manifest: IndexManifest,
  signal: AbortSignal | undefined,
): { vectors: Float32Array[] | undefined } {
  throwIfAborted(signal, 'upsert');
  return validateRecords(records, manifest);
}

/**
 * What a retriever checks before a search: an aborted signal first, then the request against the manifest
 * (k, filter, a vector of the right dimension or a text). Returns the query vector for a dense index.
 */
export function checkSearch(request: SearchRequest, manifest: IndexManifest): Float32Array | undefined {
  throwIfAborted((request as SearchRequest | undefined)?.signal, 'search');
  return validateSearchRequest(request, manifest);
}
