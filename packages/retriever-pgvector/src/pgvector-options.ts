import type { Metric, ProgressEvent, SearchRequest } from '@ragloom/core';
import type { PgConnectionOptions } from './pg-connection.js';

/** Where an index lives: one table (per index) in a schema, and the namespace (tenant) inside it. */
export interface PgTableOptions extends PgConnectionOptions {
  /** The index table, created on first use. Any name; it is quoted. */
  readonly table: string;
  /** Default `public`. */
  readonly schema?: string;
  /**
   * Every operation reads and writes only this namespace (a tenant): the same table holds many, each
   * with its own ids. Default `default`.
   */
  readonly namespace?: string;
  /** Create the table (and run migrations) when missing (default true); false → NOT_FOUND instead. */
  readonly createTable?: boolean;
  /** Rows per INSERT statement of an upsert (default 500); an upsert is one transaction whatever its size. */
  readonly batchSize?: number;
  /** Called as an upsert writes its batches, and once it has committed (phase `upsert`). */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** HNSW index parameters, used when the index is created (`CREATE INDEX … WITH (m, ef_construction)`). */
export interface PgHnswOptions {
  /** Links per node (pgvector default 16, 2–100). */
  readonly m?: number;
  /** Candidate list while building (pgvector default 64, at least 2 × m). */
  readonly efConstruction?: number;
}

export interface PgvectorRetrieverOptions extends PgTableOptions {
  /** The encoder whose vectors this index holds: stored in the database and checked on every open. */
  readonly encoderModelId: string;
  readonly dimension: number;
  /** Default `cosine`: operator class vector_cosine_ops (`<=>`); `dot` → `<#>`; `l2` → `<->`. */
  readonly metric?: Metric;
  /**
   * Column type: `vector` (float4, the default; HNSW up to 2,000 dimensions) or `halfvec` (float2: half
   * the table and index size, scores at half precision; HNSW up to 4,000 dimensions; pgvector ≥ 0.7).
   */
  readonly vectorType?: 'vector' | 'halfvec';
  readonly hnsw?: PgHnswOptions;
  /** Default `hnsw.ef_search` (candidates per query, default 40, at most 1,000); a search can override it. */
  readonly efSearch?: number;
  /**
   * pgvector 0.8 iterative index scans for filtered searches (default `strict_order`): the index scan goes
   * on until k rows pass the filter, instead of filtering only the first ef_search candidates.
   */
  readonly iterativeScan?: 'strict_order' | 'relaxed_order' | 'off';
  /** Create the pgvector extension when it is missing (default true; needs the privilege). */
  readonly createExtension?: boolean;
}

/** A search with pgvector's knobs on top of the ragloom request. */
export interface PgvectorSearchRequest extends SearchRequest {
  /** `hnsw.ef_search` for this query (at least k is used, at most 1,000). */
  readonly efSearch?: number;
  /** Exact search (no index): every row the filter allows is scored. */
  readonly exact?: boolean;
}

/** Postgres full-text search on the same kind of table. */
export interface PgFullTextRetrieverOptions extends PgTableOptions {
  /**
   * The text search configuration (`english`, `simple`, `german`, … or your own, see `\dF` in psql):
   * stemming and stop words. Default `english`. Stored with the index; a table built with another one is
   * MANIFEST_MISMATCH.
   */
  readonly textSearchConfig?: string;
  /**
   * ts_rank's normalization bitmask (Postgres docs, "Ranking Search Results"); default 1 (divides by
   * 1 + log(document length)), which measured best on BEIR SciFact.
   */
  readonly rankNormalization?: number;
}

export interface PgUpsertOptions {
  readonly signal?: AbortSignal;
  /** Overrides the retriever's `onProgress` for this call. */
  readonly onProgress?: (event: ProgressEvent) => void;
}
