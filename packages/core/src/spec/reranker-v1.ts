import type { SpecificationVersion } from './shared-types.js';

export interface RerankRequest {
  readonly query: string;
  readonly documents: readonly string[];
  /** Keep only the best `topK` (default: all). */
  readonly topK?: number;
  readonly signal?: AbortSignal;
}

export interface RerankResult {
  /** Index into `documents`. */
  readonly index: number;
  /** Relevance, higher is better (raw logit or probability, as the reranker documents). */
  readonly score: number;
}

/**
 * Reranker v1: scores (query, passage) pairs. Results are sorted by score descending (ties by index),
 * each index appears once, and a document's score does not depend on the others in the request,
 * nor on other requests running at the same time.
 */
export interface RerankerV1 {
  readonly specificationVersion: SpecificationVersion;
  readonly provider: string;
  readonly modelId: string;
  rerank(request: RerankRequest): Promise<RerankResult[]>;
  close?(): Promise<void>;
}
