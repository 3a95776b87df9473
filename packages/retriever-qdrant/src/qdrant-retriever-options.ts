import type { QdrantClientParams, Schemas } from '@qdrant/js-client-rest';
import type { Metric, ProgressEvent, SearchRequest } from '@ragloom/core';
import type { QdrantClientLike } from './qdrant-client-like.js';
import type { SparseEncoder } from './sparse-encoder.js';

/** How to reach Qdrant: an injected client, or a URL (and key) for a client this package creates. */
export interface QdrantConnectionOptions {
  /** A client you built. When given, `url`, `apiKey` and `clientOptions` are ignored. */
  readonly client?: QdrantClientLike;
  /** Default `http://localhost:6333`. */
  readonly url?: string;
  readonly apiKey?: string;
  /**
   * Passed to `new QdrantClient(...)`. `checkCompatibility` defaults to false here: the client's
   * check is a request fired from its constructor, and this package makes no hidden network calls.
   */
  readonly clientOptions?: Omit<QdrantClientParams, 'url' | 'apiKey'>;
}

/** Settings applied when the collection is created (ignored for an existing collection). */
export interface QdrantCollectionSettings {
  /** Keep the dense vectors on disk (memmap) instead of RAM: `vectors.on_disk`. */
  readonly onDiskVectors?: boolean;
  /** Keep payloads on disk: `on_disk_payload`. */
  readonly onDiskPayload?: boolean;
  /** HNSW parameters (`m`, `ef_construct`, `full_scan_threshold`, `on_disk`, ...). */
  readonly hnsw?: Schemas['HnswConfigDiff'];
  /** Scalar, product or binary quantization, exactly as Qdrant takes it. */
  readonly quantization?: Schemas['QuantizationConfig'];
  readonly shardNumber?: number;
  readonly replicationFactor?: number;
  readonly writeConsistencyFactor?: number;
  readonly optimizers?: Schemas['OptimizersConfigDiff'];
}

/** Hybrid search through Qdrant's query API: a dense and a sparse prefetch fused by RRF (or DBSF). */
export interface QdrantHybridOptions {
  /** Default: `createBm25SparseEncoder()` (BM25 weights, Qdrant computes IDF). */
  readonly sparseEncoder?: SparseEncoder;
  /** Name of the sparse vector in the collection (default `sparse`). */
  readonly sparseVectorName?: string;
  /** Candidates each prefetch contributes before fusion (default 50, never fewer than the query's limit). */
  readonly prefetchLimit?: number;
  /** Default `rrf` (reciprocal rank fusion); `dbsf` is Qdrant's distribution-based score fusion. */
  readonly fusion?: 'rrf' | 'dbsf';
}

export interface QdrantRetrieverOptions extends QdrantConnectionOptions {
  /** The Qdrant collection. Created from the manifest when missing (unless `createCollection: false`). */
  readonly collection: string;
  /** The encoder whose vectors this index holds; stored in the collection and checked on every open. */
  readonly encoderModelId: string;
  readonly dimension: number;
  /** Default `cosine`. Mapped to Qdrant's Cosine, Dot and Euclid distances. */
  readonly metric?: Metric;
  /**
   * Store the dense vector under this name (Qdrant named vectors). Default: a single unnamed vector,
   * or `dense` when `hybrid` is on (a collection with a sparse vector needs named vectors).
   */
  readonly vectorName?: string;
  /** Create the collection when it does not exist (default true); false → NOT_FOUND instead. */
  readonly createCollection?: boolean;
  readonly collectionSettings?: QdrantCollectionSettings;
  /**
   * Payload indexes to ensure on the metadata fields you filter on, e.g.
   * `{ category: 'keyword', year: 'integer', published: 'bool', date: 'datetime' }`. Declare the
   * type the field really holds: Qdrant answers conditions on an indexed field from the index.
   */
  readonly payloadIndexes?: Readonly<Record<string, Schemas['PayloadFieldSchema']>>;
  /** Enables hybrid search (`search({ vector, text })`) and sparse vectors on upsert. */
  readonly hybrid?: QdrantHybridOptions | true;
  /** Points per upsert request (default 256). */
  readonly batchSize?: number;
  /** Upsert requests in flight at once (default 2). */
  readonly concurrency?: number;
  /**
   * Wait until Qdrant has applied each write before resolving (default true). With false, writes
   * are acknowledged on receipt and may not be visible to an immediate search.
   */
  readonly wait?: boolean;
  /** Write ordering in a replicated cluster, sent with upserts and deletes. */
  readonly ordering?: Schemas['WriteOrdering'];
  /**
   * Read consistency in a replicated cluster, sent with searches, scans and the id lookups of
   * `delete({ ids })`. Not with counts: @qdrant/js-client-rest 1.18's `count` cannot send it.
   */
  readonly consistency?: Schemas['ReadConsistency'];
  /** Defaults for every search; a request can override them. */
  readonly searchDefaults?: Pick<QdrantSearchRequest, 'exact' | 'hnswEf' | 'scoreThreshold'>;
  /** Called after each upsert batch is acknowledged (phase `upsert`). */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Open an existing collection, taking the manifest from the collection itself. */
export type OpenQdrantRetrieverOptions = Omit<
  QdrantRetrieverOptions,
  'encoderModelId' | 'dimension' | 'metric' | 'vectorName' | 'createCollection'
>;

/** A ragloom search request plus what Qdrant offers on top. */
export interface QdrantSearchRequest extends SearchRequest {
  /**
   * Only hits scoring at least this much (ragloom scores: cosine/dot similarity, negative squared
   * L2 distance, or the fused score in hybrid search). Qdrant's `score_threshold` is strict for plain
   * queries and an f32, so a slightly lower one is sent and the hits are cut at exactly this value.
   */
  readonly scoreThreshold?: number;
  /** Return only these metadata fields (Qdrant `with_payload` selection); default all. */
  readonly metadataFields?: readonly string[];
  /** Exact (brute-force) search instead of HNSW. */
  readonly exact?: boolean;
  /** HNSW beam size for this search (Qdrant `hnsw_ef`). */
  readonly hnswEf?: number;
}

export interface QdrantUpsertOptions {
  readonly signal?: AbortSignal;
  /** Overrides the retriever's `onProgress` for this call. */
  readonly onProgress?: (event: ProgressEvent) => void;
}
