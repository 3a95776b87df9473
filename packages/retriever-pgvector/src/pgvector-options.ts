import type { ProgressEvent, SearchRequest } from '@ragloom/core';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import type { PgPoolLike, PgQueryable } from './pg-connection.js';

const MAX_IDENTIFIER_BYTES = 63; // NAMEDATALEN - 1: Postgres silently truncates longer names
/** A table or schema name: any text (it is quoted), but no NUL and no longer than Postgres keeps. */
export const pgIdentifier = option
  .string({ maxLength: MAX_IDENTIFIER_BYTES })
  .refine((name) =>
    name.includes('\u0000')
      ? 'must not contain NUL'
      : new TextEncoder().encode(name).length > MAX_IDENTIFIER_BYTES
        ? `is longer than Postgres's ${MAX_IDENTIFIER_BYTES}-byte limit for names`
        : undefined,
  );
/** A tenant: any non-empty text without NUL (Postgres text cannot hold it). */
export const pgNamespace = option
  .string()
  .refine((value) => (value.includes('\u0000') ? 'must not contain NUL' : undefined));
export const pgMetric = option.enum(['cosine', 'dot', 'l2']);
export const pgVectorType = option.enum(['vector', 'halfvec']);
export const pgHnswM = option.integer({ min: 2, max: 100 });
export const pgHnswEfConstruction = option.integer({ min: 4, max: 1000 });
/** pgvector's `hnsw.ef_search` range. */
export const pgEfSearch = option.integer({ min: 1, max: 1000 });
export const pgIterativeScan = option.enum(['strict_order', 'relaxed_order', 'off']);
export const pgTextSearchConfig = option.string({
  pattern: /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/,
  expected: 'a text search configuration name',
});
export const pgRankNormalization = option.integer({ min: 0, max: 63 });

/** Settings for the pool this package creates from a connection string (passed to `new pg.Pool`). */
export const pgPoolOptions = option.object({
  max: option.integer({ min: 1 }).optional().describe("Connections at most (pg's default 10)."),
  idleTimeoutMillis: option.integer({ min: 0 }).optional(),
  connectionTimeoutMillis: option.integer({ min: 0 }).optional(),
  statement_timeout: option
    .integer({ min: 0 })
    .optional()
    .describe('Server-side limit per statement, in ms.'),
  application_name: option.string().optional(),
  ssl: option
    .union([option.boolean(), option.record(option.unknown())])
    .optional()
    .describe("`true`, or pg's TLS options object."),
});

/** How to reach Postgres: a connection string, your `pg.Pool`, or one `pg.Client` (exactly one of them). */
const pgConnectionShape = {
  connectionString: option
    .string()
    .optional()
    .describe(
      '`postgresql://user:password@host:5432/db`. The retriever creates a pool and ends it on close().',
    ),
  poolOptions: pgPoolOptions.optional(),
  pool: option
    .implementing<PgPoolLike>('a pg.Pool (query and connect)', ['query', 'connect'])
    .optional()
    .describe('Your pool: used for every statement, never ended by the retriever.'),
  client: option
    .implementing<PgQueryable>('a connected pg.Client (query)', ['query'])
    .optional()
    .describe(
      'One connected pg.Client: statements and transactions of every retriever on it take turns, and the retriever never ends it.',
    ),
};

/** Where an index lives: one table (per index) in a schema, and the namespace (tenant) inside it. */
const pgTableShape = {
  ...pgConnectionShape,
  table: pgIdentifier.describe('The index table, created on first use. Any name; it is quoted.'),
  schema: pgIdentifier.default('public'),
  namespace: pgNamespace
    .default('default')
    .describe('Every operation reads and writes only this namespace (a tenant): the same table holds many.'),
  createTable: option
    .boolean()
    .default(true)
    .describe(
      'Create the table (and run migrations) when missing (default true); false → NOT_FOUND instead.',
    ),
  batchSize: option
    .integer({ min: 1, max: 100_000 })
    .default(500)
    .describe(
      'Rows per INSERT statement of an upsert (default 500); an upsert is one transaction whatever its size.',
    ),
  onProgress: option
    .function<(event: ProgressEvent) => void>()
    .optional()
    .describe('Called as an upsert writes its batches, and once it has committed (phase `upsert`).'),
};

/** pgvector's HNSW limits on dimensions, per column type. */
export const HNSW_MAX_DIMENSIONS = { vector: 2000, halfvec: 4000 } as const;

/**
 * The options of `createPgvectorRetriever`, declared once: `parseOptions` checks them in the factory, and
 * the plugin's schema takes its fields from the same leaves (`pgHnswM`, `pgEfSearch`, ...).
 */
export const pgvectorRetrieverOptions = option
  .object({
    ...pgTableShape,
    /** Accepted so that a DenseIndexManifest can be spread into the options (`{ ...manifest, table }`). */
    kind: option.literal('dense').optional(),
    encoderModelId: option
      .string()
      .describe(
        'The encoder whose vectors this index holds: stored in the database and checked on every open.',
      ),
    dimension: option.integer({ min: 1 }),
    metric: pgMetric
      .default('cosine')
      .describe('Default `cosine`: vector_cosine_ops (`<=>`); `dot` → `<#>`; `l2` → `<->`.'),
    vectorType: pgVectorType
      .default('vector')
      .describe(
        '`vector` (float4, HNSW up to 2,000 dimensions) or `halfvec` (float2: half the size, HNSW up to 4,000; pgvector >= 0.7).',
      ),
    hnsw: option
      .object({
        m: pgHnswM.default(16).describe('Links per node (pgvector default 16, 2–100).'),
        efConstruction: pgHnswEfConstruction
          .optional()
          .describe(
            'Candidate list while building (default 64, or 2 × m when that is more; at least 2 × m).',
          ),
      })
      .refine(({ m, efConstruction }) =>
        efConstruction !== undefined && efConstruction < 2 * m
          ? `efConstruction (${efConstruction}) must be at least 2 × m (${2 * m})`
          : undefined,
      )
      .default({ m: 16 })
      .describe('HNSW index parameters, used when the index is created.'),
    efSearch: pgEfSearch
      .default(40)
      .describe(
        'Default `hnsw.ef_search` (candidates per query, default 40, at most 1,000); a search can override it.',
      ),
    iterativeScan: pgIterativeScan
      .default('strict_order')
      .describe('pgvector 0.8 iterative index scans for filtered searches (default `strict_order`).'),
    createExtension: option
      .boolean()
      .default(true)
      .describe('Create the pgvector extension when it is missing (default true; needs the privilege).'),
  })
  .refine(({ dimension, vectorType }) =>
    dimension > HNSW_MAX_DIMENSIONS[vectorType]
      ? `dimension ${dimension} is more than pgvector's HNSW index takes for ${vectorType} (${HNSW_MAX_DIMENSIONS[vectorType]})`
      : undefined,
  );
export type PgvectorRetrieverOptions = InferOptionsInput<typeof pgvectorRetrieverOptions>;
export type ParsedPgvectorRetrieverOptions = InferOptions<typeof pgvectorRetrieverOptions>;

/** Postgres full-text search on the same kind of table. */
export const pgFullTextRetrieverOptions = option.object({
  ...pgTableShape,
  textSearchConfig: pgTextSearchConfig
    .default('english')
    .describe(
      'The text search configuration (`english`, `simple`, `german`, … see `\\dF` in psql): stemming and stop words. ' +
        'Stored with the index; a table built with another one is MANIFEST_MISMATCH.',
    ),
  rankNormalization: pgRankNormalization
    .default(1)
    .describe(
      'ts_rank\'s normalization bitmask (Postgres docs, "Ranking Search Results"); default 1 (divides by 1 + log(length)).',
    ),
});
export type PgFullTextRetrieverOptions = InferOptionsInput<typeof pgFullTextRetrieverOptions>;

const pgTableOptions = option.object(pgTableShape);
/** What both retrievers take: connection and table. */
export type PgTableOptions = InferOptionsInput<typeof pgTableOptions>;
const pgConnectionOptions = option.object(pgConnectionShape);
/** How to reach Postgres: `connectionString` (and `poolOptions`), your `pool`, or one `client`. */
export type PgConnectionOptions = InferOptionsInput<typeof pgConnectionOptions>;
/** Settings for the pool this package creates from a connection string (passed to `new pg.Pool`). */
export type PgPoolOptions = InferOptionsInput<typeof pgPoolOptions>;
/** HNSW index parameters, used when the index is created (`CREATE INDEX … WITH (m, ef_construction)`). */
export type PgHnswOptions = NonNullable<PgvectorRetrieverOptions['hnsw']>;

/** A search with pgvector's knobs on top of the ragloom request. */
export interface PgvectorSearchRequest extends SearchRequest {
  /** `hnsw.ef_search` for this query (at least k is used, at most 1,000). */
  readonly efSearch?: number;
  /** Exact search (no index): every row the filter allows is scored. */
  readonly exact?: boolean;
}

export interface PgUpsertOptions {
  readonly signal?: AbortSignal;
  /** Overrides the retriever's `onProgress` for this call. */
  readonly onProgress?: (event: ProgressEvent) => void;
}
