import { compareHits, type SearchHit } from '@ragloom/core';

/**
 * Where a hit list breaks the contract's order (score descending, equal scores by id ascending): the index of
 * the first hit that belongs before its predecessor, or -1 when the list is in order.
 */
export function outOfOrderAt(hits: readonly SearchHit[]): number {
  for (let i = 1; i < hits.length; i++) if (compareHits(hits[i - 1]!, hits[i]!) > 0) return i;
  return -1;
}
