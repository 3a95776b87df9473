import {
  compareHits,
  compileFilter,
  type Filter,
  type Metadata,
  type Metric,
  similarity,
} from '@ragloom/core';

/**
 * The suite's ground truth, in one place: what a filter matches and what a dense search must
 * return, computed by brute force with core's own filter evaluator and `similarity()`, and how
 * far a retriever's score may stray from the exact one.
 */

/** The records whose metadata `filter` matches, in their order. */
export function recordsMatching<R extends { readonly metadata: Metadata }>(
  records: readonly R[],
  filter: Filter,
): R[] {
  const predicate = compileFilter(filter);
  return records.filter((r) => predicate(r.metadata));
}

/** The exact top `k` of a dense search over `records`: ids and core's `similarity()` scores, ranked as retrievers rank. */
export function exactTopK(
  records: readonly {
    readonly id: string;
    readonly metadata: Metadata;
    readonly vector: readonly number[];
  }[],
  query: readonly number[],
  metric: Metric,
  filter: Filter,
  k: number,
): { id: string; score: number }[] {
  return recordsMatching(records, filter)
    .map((r) => ({ id: r.id, score: similarity(metric, query, r.vector) }))
    .sort(compareHits)
    .slice(0, k);
}

/**
 * How far a reported score may be from the exact one: float32 storage and a SIMD summation order
 * move it by far less than 1e-4 relative (1e-4 absolute near zero), while another record's vector
 * moves it by far more.
 */
export function scoreTolerance(exact: number): number {
  return 1e-4 * Math.max(1, Math.abs(exact));
}

/** The exact score of `vector` for `query`, and whether a retriever's `score` is it within `scoreTolerance`. */
export function compareWithExactScore(
  score: number,
  metric: Metric,
  query: readonly number[],
  vector: readonly number[],
) {
  const exact = similarity(metric, query, vector);
  return { agrees: Math.abs(score - exact) <= scoreTolerance(exact), exact };
}
