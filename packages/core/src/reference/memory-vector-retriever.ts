import { RagloomError } from '../errors/ragloom-error.js';
import { compareHits, validateRecords, validateSearchRequest } from '../retriever/retriever-validation.js';
import type { DenseIndexManifest, RetrieverRecord, RetrieverV1, SearchHit } from '../spec/retriever-v1.js';
import type { Metadata, Metric } from '../spec/shared-types.js';
import { throwIfAborted } from '../util/abort.js';
import { dot, squaredL2 } from '../vector/vector-math.js';
import { matchingRecords, recordMapOperations } from './memory-records.js';

export interface MemoryVectorRetrieverOptions {
  readonly dimension: number;
  readonly metric?: Metric;
  /** The encoder whose vectors this index holds (stored in the manifest). */
  readonly encoderModelId: string;
}

interface StoredRecord {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
  readonly vector: Float32Array;
  /** ‖v‖, kept so cosine is one dot product per record (the same formula as core's similarity()). */
  readonly norm: number;
}

/**
 * The reference dense retriever: exact brute-force search in memory (cosine, dot or L2). It is the
 * ground truth the conformance suite and the ANN benchmarks compare against, and is fine for a few
 * thousand records; use @ragloom/retriever-hnsw beyond that.
 */
export function createMemoryVectorRetriever(options: MemoryVectorRetrieverOptions): RetrieverV1 {
  const { dimension, encoderModelId } = options;
  const metric = options.metric ?? 'cosine';
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `dimension must be a positive integer, got ${String(dimension)}`,
    );
  }
  if (!['cosine', 'dot', 'l2'].includes(metric)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `unknown metric "${String(metric)}" (expected cosine, dot or l2)`,
    );
  }
  const manifest: DenseIndexManifest = { kind: 'dense', encoderModelId, dimension, metric };
  const records = new Map<string, StoredRecord>();

  const score = (query: Float32Array, queryNorm: number, r: StoredRecord): number => {
    if (metric === 'dot') return dot(query, r.vector);
    if (metric === 'l2') return -squaredL2(query, r.vector);
    const n = queryNorm * r.norm;
    return n === 0 ? 0 : dot(query, r.vector) / n; // bit-identical to cosineSimilarity()
  };

  return {
    specificationVersion: 'v1',
    provider: 'memory',
    manifest,
    capabilities: { query: 'vector', scan: true, persistent: false },
    // Scanned vectors are copies: callers may write into what they get.
    ...recordMapOperations(records, (r) => ({
      id: r.id,
      text: r.text,
      metadata: r.metadata,
      vector: Float32Array.from(r.vector),
    })),

    async upsert(batch: readonly RetrieverRecord[], opts?: { signal?: AbortSignal }) {
      throwIfAborted(opts?.signal, 'upsert');
      const { vectors } = validateRecords(batch, manifest);
      batch.forEach((record, i) => {
        const vector = Float32Array.from(vectors![i]!); // own copy: callers may reuse their buffers
        records.set(record.id, {
          id: record.id,
          text: record.text,
          metadata: { ...record.metadata },
          vector,
          norm: Math.sqrt(dot(vector, vector)),
        });
      });
    },

    async search(request) {
      throwIfAborted(request.signal, 'search');
      const query = validateSearchRequest(request, manifest)!;
      const queryNorm = Math.sqrt(dot(query, query));
      const hits: SearchHit[] = matchingRecords(records, request.filter).map((r) => ({
        id: r.id,
        score: score(query, queryNorm, r),
        text: r.text,
        metadata: r.metadata,
      }));
      hits.sort(compareHits);
      return hits.slice(0, request.k);
    },
  };
}
