import type { Document, Filter } from '@ragloom/core';
import { createLocatedChunker } from '../ingest/located-chunker.js';
import type { LoadedDocument } from '../loaders/loaded-document.js';
import { lineAtOffset, lineStarts } from '../loaders/source-lines.js';
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

/**
 * POST /ingest: documents sent as JSON (`{documents: [{id, text, metadata}]}`) are chunked, embedded and
 * stored, replacing earlier versions with the same id; every index is then saved. Runs one at a time.
 */
export function createIngestHandler(runtime: RagloomRuntime) {
  let queue: Promise<unknown> = Promise.resolve();
  return async (body: unknown, signal: AbortSignal) => {
    const request = parseRequest(ingestRequestSchema, body);
    const located = new Map<string, LoadedDocument>();
    const documents: Document[] = request.documents.map((d) => {
      const document: Document = {
        id: d.id,
        text: d.text.replace(/\r\n?/g, '\n'),
        metadata: {
          ...d.metadata,
          source: typeof d.metadata?.source === 'string' ? d.metadata.source : d.id,
          type: 'text',
        },
      };
      const starts = lineStarts(document.text);
      located.set(d.id, { document, lineAt: (offset) => lineAtOffset(starts, offset) });
      return document;
    });
    const pipeline = runtime.pipelineWith({
      chunker: createLocatedChunker(runtime.chunker, (id) => located.get(id)),
    });
    const run = queue.then(() => pipeline.ingest(documents, { signal }));
    queue = run.catch(() => {});
    const result = await run;
    return { documents: result.documents, chunks: result.chunks };
  };
}
