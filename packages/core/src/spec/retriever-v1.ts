import type { Filter } from '../filter/filter-types.js';
import type { Metadata, Metric, SpecificationVersion, VectorLike } from './shared-types.js';

/** Stored with every dense index: a query embedded by another model is an error, not silent garbage. */
export interface DenseIndexManifest {
  readonly kind: 'dense';
  readonly encoderModelId: string;
  readonly dimension: number;
  readonly metric: Metric;
}

/** Stored with every sparse (lexical) index: the analyzer that produced its terms. */
export interface SparseIndexManifest {
  readonly kind: 'sparse';
  readonly analyzer: string;
}

export type IndexManifest = DenseIndexManifest | SparseIndexManifest;

/** What a retriever stores. Dense indexes need `vector`; sparse ones index `text`. */
export interface RetrieverRecord {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
  readonly vector?: VectorLike;
}

export interface SearchRequest {
  /** Dense retrievers: the query vector (length == manifest.dimension). */
  readonly vector?: VectorLike;
  /** Sparse retrievers: the query text. */
  readonly text?: string;
  /** How many hits at most; a positive integer. Larger than count returns everything that matches. */
  readonly k: number;
  readonly filter?: Filter;
  /** The encoder that embedded `vector`; checked against the manifest when given. */
  readonly encoderModelId?: string;
  readonly signal?: AbortSignal;
}

export interface SearchHit {
  readonly id: string;
  /** Higher is better. Sorted descending; ties broken by id ascending. */
  readonly score: number;
  readonly text: string;
  readonly metadata: Metadata;
}

export type DeleteSelector = { readonly ids: readonly string[] } | { readonly filter: Filter };

export interface RetrieverCapabilities {
  /** What `search` accepts. */
  readonly query: 'vector' | 'text';
  /** `scan()` is implemented (needed to export an index). */
  readonly scan: boolean;
  /**
   * The retriever keeps what it stores across restarts and `save()` flushes it there. True if and
   * only if `save` is present: hosts call `save()` on every persistent retriever after writing. An
   * index without durable storage (e.g. one created without a file) is not persistent.
   */
  readonly persistent: boolean;
}

/**
 * Retriever v1: a vector or sparse index.
 *
 * Contract (checked by describeRetrieverConformance):
 * - `upsert` replaces by id; vectors of the wrong length → `DIMENSION_MISMATCH`, NaN/Infinity → `INVALID_ARGUMENT`;
 * - `search` applies the core filter grammar exactly as core's reference evaluator does; invalid filters → `INVALID_FILTER`;
 * - hits are sorted by score descending, ties by id ascending, at most `k`;
 * - a request whose `encoderModelId` differs from the manifest → `MANIFEST_MISMATCH`;
 * - `save` is present exactly when `capabilities.persistent`;
 * - concurrent calls return what the same calls return one at a time, and a search running while
 *   an upsert, delete or compaction runs sees each record whole, before or after the change.
 */
export interface RetrieverV1 {
  readonly specificationVersion: SpecificationVersion;
  readonly provider: string;
  readonly manifest: IndexManifest;
  readonly capabilities: RetrieverCapabilities;
  upsert(records: readonly RetrieverRecord[], options?: { signal?: AbortSignal }): Promise<void>;
  /** Deletes by ids (unknown ids are ignored) or by filter; resolves to the number removed. */
  delete(selector: DeleteSelector): Promise<{ deleted: number }>;
  search(request: SearchRequest): Promise<SearchHit[]>;
  count(filter?: Filter): Promise<number>;
  /** Every stored record (with its vector for dense indexes), in pages. Present when capabilities.scan. */
  scan?(options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<RetrieverRecord[]>;
  /** Flushes to durable storage. Present if and only if capabilities.persistent. */
  save?(): Promise<void>;
  close?(): Promise<void>;
}
