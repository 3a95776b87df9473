import type { QdrantClientParams, Schemas } from '@qdrant/js-client-rest';
import type { ProgressEvent, SearchRequest } from '@ragloom/core';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import type { QdrantClientLike } from './qdrant-client-like.js';
import type { SparseEncoder } from './sparse-encoder.js';

const isObject = (value: unknown): boolean =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
/** A Qdrant request body fragment passed through as it is (Qdrant itself checks its fields). */
const qdrantObject = <T>(what: string) =>
  option.custom<T>(`${what} (an object, as Qdrant takes it)`, isObject);

/** How to reach Qdrant: an injected client, or a URL (and key) for a client this package creates. */
export const qdrantConnectionShape = {
  client: option
    .implementing<QdrantClientLike>('a QdrantClient (or an object with its methods)', [
      'collectionExists',
      'getCollection',
      'query',
      'upsert',
    ])
    .optional()
    .describe('A client you built. When given, `url`, `apiKey` and `clientOptions` are ignored.'),
  url: option.url().optional().describe('Default http://localhost:6333.'),
  apiKey: option.string().optional(),
  clientOptions: qdrantObject<Omit<QdrantClientParams, 'url' | 'apiKey'>>('QdrantClient options')
    .optional()
    .describe(
      'Passed to `new QdrantClient(...)`. `checkCompatibility` defaults to false here: the client fires that ' +
        'check from its constructor, and this package makes no hidden network calls.',
    ),
};

/** Settings applied when the collection is created (ignored for an existing collection). */
export const qdrantCollectionSettings = option.object({
  onDiskVectors: option
    .boolean()
    .optional()
    .describe('Keep the dense vectors on disk (memmap): `vectors.on_disk`.'),
  onDiskPayload: option.boolean().optional().describe('Keep payloads on disk: `on_disk_payload`.'),
  hnsw: qdrantObject<Schemas['HnswConfigDiff']>('HNSW parameters (m, ef_construct, ...)').optional(),
  quantization: qdrantObject<Schemas['QuantizationConfig']>(
    'scalar, product or binary quantization',
  ).optional(),
  shardNumber: option.integer({ min: 1 }).optional(),
  replicationFactor: option.integer({ min: 1 }).optional(),
  writeConsistencyFactor: option.integer({ min: 1 }).optional(),
  optimizers: qdrantObject<Schemas['OptimizersConfigDiff']>('optimizer settings').optional(),
});
export type QdrantCollectionSettings = InferOptionsInput<typeof qdrantCollectionSettings>;

/** Hybrid search's settings a config file may give too (the plugin takes these; code may add `sparseEncoder`). */
export const qdrantHybridSettingsShape = {
  sparseVectorName: option
    .string()
    .optional()
    .describe('Name of the sparse vector in the collection (default `sparse`).'),
  prefetchLimit: option
    .integer({ min: 1 })
    .default(50)
    .describe(
      "Candidates each prefetch contributes before fusion (default 50, never fewer than the query's limit).",
    ),
  fusion: option
    .enum(['rrf', 'dbsf'])
    .default('rrf')
    .describe(
      "`rrf` (reciprocal rank fusion, the default) or `dbsf`, Qdrant's distribution-based score fusion.",
    ),
};

/** Hybrid search through Qdrant's query API: a dense and a sparse prefetch fused by RRF (or DBSF). */
export const qdrantHybridOptions = option.object({
  ...qdrantHybridSettingsShape,
  sparseEncoder: option
    .implementing<SparseEncoder>('a SparseEncoder (id, modifier, encodeDocuments, encodeQuery)', [
      'encodeDocuments',
      'encodeQuery',
    ])
    .optional()
    .describe('Default: `createBm25SparseEncoder()` (BM25 weights, Qdrant computes IDF).'),
});
export type QdrantHybridOptions = InferOptionsInput<typeof qdrantHybridOptions>;

/** The dense vector's name may not be the sparse one's (Qdrant keeps both in one namespace of named vectors). */
export const distinctVectorNames = (options: {
  readonly vectorName?: string | undefined;
  readonly hybrid?: true | { readonly sparseVectorName?: string | undefined } | undefined;
}): string | undefined => {
  if (options.hybrid === undefined || options.vectorName === undefined) return undefined;
  const sparseName = (options.hybrid === true ? undefined : options.hybrid.sparseVectorName) ?? 'sparse';
  return options.vectorName === sparseName
    ? `the dense and sparse vectors cannot share the name "${sparseName}" (vectorName, hybrid.sparseVectorName)`
    : undefined;
};

/**
 * The options of `createQdrantRetriever`, declared once: `parseOptions` checks them in the factory, and the
 * plugin's schema is this declaration without what only code can pass (`client`, `sparseEncoder`, callbacks).
 */
export const qdrantRetrieverOptionShape = {
  ...qdrantConnectionShape,
  /** Accepted so that a DenseIndexManifest can be spread into the options (`{ ...manifest, collection }`). */
  kind: option.literal('dense').optional(),
  collection: option.string().describe('The Qdrant collection; created from the manifest when missing.'),
  encoderModelId: option
    .string()
    .describe(
      'The encoder whose vectors this index holds; stored in the collection and checked on every open.',
    ),
  dimension: option.integer({ min: 1 }),
  metric: option
    .enum(['cosine', 'dot', 'l2'])
    .optional()
    .describe("Default `cosine`. Mapped to Qdrant's Cosine, Dot and Euclid distances."),
  vectorName: option
    .string()
    .optional()
    .describe(
      'Store the dense vector under this name (named vectors). Default: one unnamed vector, or `dense` with hybrid.',
    ),
  createCollection: option
    .boolean()
    .default(true)
    .describe('Create the collection when it does not exist (default true); false → NOT_FOUND instead.'),
  collectionSettings: qdrantCollectionSettings.optional(),
  payloadIndexes: option
    .record(
      option.union([
        option.enum(['keyword', 'integer', 'float', 'geo', 'text', 'bool', 'datetime', 'uuid']),
        qdrantObject<Schemas['PayloadSchemaParams']>('payload index parameters'),
      ]),
    )
    .optional()
    .describe(
      'Payload indexes on the metadata fields you filter on (`{ category: "keyword", year: "integer" }`); ' +
        'declare the type the field really holds: Qdrant answers conditions on an indexed field from the index.',
    ),
  hybrid: option
    .union([option.literal(true), qdrantHybridOptions])
    .optional()
    .describe(
      'Hybrid search (dense + sparse, fused by RRF or DBSF) and sparse vectors on upsert: true, or its settings.',
    ),
  batchSize: option.integer({ min: 1 }).default(256).describe('Points per upsert request. Default 256.'),
  concurrency: option
    .integer({ min: 1 })
    .default(2)
    .describe('Upsert requests in flight at once. Default 2.'),
  wait: option
    .boolean()
    .default(true)
    .describe(
      'Wait until Qdrant has applied each write (default true); false acknowledges on receipt, so an immediate search may miss it.',
    ),
  ordering: option
    .enum(['weak', 'medium', 'strong'])
    .optional()
    .describe('Write ordering in a replicated cluster, sent with upserts and deletes.'),
  consistency: option
    .union([option.integer({ min: 1 }), option.enum(['majority', 'quorum', 'all'])])
    .optional()
    .describe(
      "Read consistency in a replicated cluster, sent with searches, scans and delete({ ids })'s lookups " +
        "(not with counts: @qdrant/js-client-rest 1.18's count cannot send it).",
    ),
  searchDefaults: option
    .object({
      exact: option.boolean().optional(),
      hnswEf: option.integer({ min: 1 }).optional(),
      scoreThreshold: option.number().optional(),
    })
    .optional()
    .describe('Defaults for every search; a request can override them.'),
  onProgress: option
    .function<(event: ProgressEvent) => void>()
    .optional()
    .describe('Called after each upsert batch is acknowledged (phase `upsert`).'),
};

export const qdrantRetrieverOptions = option.object(qdrantRetrieverOptionShape).refine(distinctVectorNames);
/** What `createQdrantRetriever` takes (defaults optional). */
export type QdrantRetrieverOptions = InferOptionsInput<typeof qdrantRetrieverOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedQdrantRetrieverOptions = InferOptions<typeof qdrantRetrieverOptions>;
/** How to reach Qdrant: `client`, or `url` and `apiKey` (and `clientOptions`) for a client this package creates. */
export type QdrantConnectionOptions = InferOptionsInput<typeof qdrantConnectionOptions>;
const qdrantConnectionOptions = option.object(qdrantConnectionShape);

/** `loadQdrantRetriever`'s options: the collection's own manifest replaces encoder, dimension, metric and vector name. */
export const loadQdrantRetrieverOptions = option
  .object(qdrantRetrieverOptionShape)
  .omit('kind', 'encoderModelId', 'dimension', 'metric', 'vectorName', 'createCollection');
export type LoadQdrantRetrieverOptions = InferOptionsInput<typeof loadQdrantRetrieverOptions>;
/** @deprecated Renamed `LoadQdrantRetrieverOptions` (with `loadQdrantRetriever`); this alias goes in the next minor. */
export type OpenQdrantRetrieverOptions = LoadQdrantRetrieverOptions;

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
