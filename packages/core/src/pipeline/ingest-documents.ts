import { assertPositiveInteger } from '../retriever/retriever-validation.js';
import type { ChunkerV1 } from '../spec/chunker-v1.js';
import type { EncoderV1 } from '../spec/encoder-v1.js';
import type { RetrieverRecord } from '../spec/retriever-v1.js';
import type { Chunk, Document } from '../spec/shared-types.js';
import { throwIfAborted } from '../util/abort.js';
import type { BoundRetriever } from './retrieval-stages.js';

export interface IngestProgress {
  readonly phase: 'chunking' | 'embedding' | 'upserting' | 'done';
  readonly documents: number;
  readonly totalDocuments?: number;
  readonly chunks: number;
}

export interface IngestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: IngestProgress) => void;
  readonly batchSize?: number;
  /**
   * Remove a document's previous chunks before storing the new ones (default true), so a shorter
   * new version leaves no stale tail behind.
   */
  readonly replaceExisting?: boolean;
}

export interface IngestResult {
  readonly documents: number;
  readonly chunks: number;
}

/** What ingest works with: the pipeline's retrievers, chunker, encoder and default batch size. */
export interface IngestComponents {
  readonly bound: readonly BoundRetriever[];
  readonly chunker: ChunkerV1;
  readonly encoder?: EncoderV1;
  readonly batchSize: number;
}

/** A chunk as a retriever record, with what citations need: its document, position and offsets. */
function toRecord(chunk: Chunk, vector: Float32Array | undefined): RetrieverRecord {
  return {
    id: chunk.id,
    text: chunk.text,
    metadata: {
      ...chunk.metadata,
      documentId: chunk.documentId,
      chunkIndex: chunk.index,
      start: chunk.start,
      end: chunk.end,
    },
    vector,
  };
}

/** Removes every chunk of these documents from every retriever. */
export async function deleteDocumentChunks(
  bound: readonly BoundRetriever[],
  documentIds: readonly string[],
): Promise<{ deleted: number }> {
  if (documentIds.length === 0) return { deleted: 0 };
  let deleted = 0;
  for (const b of bound) {
    deleted += (await b.retriever.delete({ filter: { documentId: { $in: [...documentIds] } } })).deleted;
  }
  return { deleted };
}

/** Embeds one batch of chunks (when a retriever is dense) and upserts it into every retriever. */
async function storeBatch(
  components: IngestComponents,
  chunks: readonly Chunk[],
  signal: AbortSignal | undefined,
  progress: (phase: IngestProgress['phase']) => void,
): Promise<void> {
  let vectors: Float32Array[] | undefined;
  if (components.encoder && components.bound.some((b) => b.dense)) {
    progress('embedding');
    const texts = chunks.map((c) => c.text);
    vectors = (await components.encoder.embed({ texts, inputType: 'document', signal })).embeddings;
  }
  progress('upserting');
  const records = chunks.map((c, i) => toRecord(c, vectors?.[i]));
  for (const b of components.bound) {
    throwIfAborted(signal, 'ingest');
    await b.retriever.upsert(b.dense ? records : records.map(({ vector: _v, ...r }) => r), { signal });
  }
}

/**
 * Load → chunk → embed → upsert, in batches, abortable between them, with progress. A re-ingested
 * document first loses its old chunks (unless `replaceExisting` is false); every retriever is saved at
 * the end.
 */
export async function ingestDocuments(
  components: IngestComponents,
  documents: Iterable<Document> | AsyncIterable<Document>,
  opts: IngestOptions = {},
): Promise<IngestResult> {
  const { signal } = opts;
  const batchSize = opts.batchSize ?? components.batchSize;
  assertPositiveInteger(batchSize, 'batchSize');
  const replace = opts.replaceExisting ?? true;
  const totalDocuments = Array.isArray(documents) ? documents.length : undefined;
  let docCount = 0;
  let chunkCount = 0;
  let pending: Chunk[] = [];
  const cleared = new Set<string>();
  const progress = (phase: IngestProgress['phase']) =>
    opts.onProgress?.({ phase, documents: docCount, totalDocuments, chunks: chunkCount });
  const clearOnce = async (ids: readonly string[]) => {
    const fresh = [...new Set(ids)].filter((id) => !cleared.has(id));
    for (const id of fresh) cleared.add(id);
    await deleteDocumentChunks(components.bound, fresh);
  };

  const flushPending = async () => {
    if (pending.length === 0) return;
    if (replace) await clearOnce(pending.map((c) => c.documentId));
    const batch = pending;
    pending = [];
    await storeBatch(components, batch, signal, progress);
    chunkCount += batch.length;
    progress('upserting');
  };

  throwIfAborted(signal, 'ingest');
  for await (const document of documents) {
    throwIfAborted(signal, 'ingest');
    const chunks = await components.chunker.chunk(document);
    docCount++;
    progress('chunking');
    for (const chunk of chunks) {
      pending.push(chunk);
      if (pending.length >= batchSize) await flushPending();
    }
    // An emptied document loses its old chunks too.
    if (chunks.length === 0 && replace) await clearOnce([document.id]);
  }
  await flushPending();
  // Only persistent retrievers are saved (the spec: save is present iff capabilities.persistent); a
  // host that saves at its own checkpoints hands the pipeline views without save().
  for (const b of components.bound) if (b.retriever.capabilities.persistent) await b.retriever.save?.();
  progress('done');
  return { documents: docCount, chunks: chunkCount };
}
