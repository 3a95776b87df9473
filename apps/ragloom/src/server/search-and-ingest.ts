import { type Filter, isRagloomError, RagloomError } from '@ragloom/core';
import { lockedError, readWriterLock } from '../index-set/writer-lock.js';
import { ingestDocuments } from '../ingest/ingest-documents.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { passageJson } from './citation-json.js';
import { ingestRequestSchema, parseRequest, searchRequestSchema } from './request-schemas.js';

/** POST /search: the retrieved passages with scores and where they come from. */
export async function handleSearch(runtime: RagloomRuntime, body: unknown, signal: AbortSignal) {
  const request = parseRequest(searchRequestSchema, body);
  const passages = await runtime.pipeline.retrieve(request.query, {
    k: request.k,
    filter: request.filter as Filter | undefined,
    signal,
  });
  return { query: request.query, hits: passages.map(passageJson) };
}

/** The refusal of a server that does not write: it names the process that does, if any. */
export async function readOnlyError(runtime: RagloomRuntime): Promise<RagloomError> {
  const holder = await readWriterLock(runtime.loaded.dataDir).catch(() => undefined);
  const why = 'this server serves it read-only (started with --read-only), so nothing was applied';
  const error =
    holder && !holder.stale
      ? lockedError(runtime.loaded.dataDir, holder, `; ${why}`)
      : new RagloomError('INDEX_LOCKED', `the index in ${runtime.loaded.dataDir}: ${why}`);
  error.details.applied = false;
  return error;
}

/**
 * POST /ingest: documents sent as JSON (`{documents: [{id, text, metadata}]}`) are chunked, embedded and
 * committed to every index of the set with the ingest state — the whole request or nothing of it. They
 * live under `api://<id>` unless the server allows file sources. The response says what was applied.
 */
export async function handleIngest(
  runtime: RagloomRuntime,
  body: unknown,
  signal: AbortSignal,
  options: { allowFileSources?: boolean } = {},
) {
  const request = parseRequest(ingestRequestSchema, body);
  if (!runtime.indexSet.writer) throw await readOnlyError(runtime);
  try {
    const result = await ingestDocuments(runtime, request.documents, {
      signal,
      sharedNamespace: options.allowFileSources,
    });
    return {
      applied: true,
      generation: result.generation,
      documents: result.documents,
      chunks: result.chunks,
      ids: result.ids,
    };
  } catch (error) {
    // Whatever stopped it (a timeout, a bad document, a failed save), nothing of it was committed.
    const reason = isRagloomError(error) ? error : signal.aborted ? signal.reason : undefined;
    if (!isRagloomError(reason)) throw error;
    throw new RagloomError(reason.code, `${reason.message}; nothing of this request was applied`, {
      cause: error,
      details: { ...reason.details, applied: false },
      retryable: reason.retryable,
    });
  }
}
