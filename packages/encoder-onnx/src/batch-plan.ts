/**
 * Groups texts into batches by a token budget: sorted longest first so that texts of similar length share a
 * batch (little padding), each batch at most `maxBatchSize` texts and `maxBatchTokens` padded tokens (a single
 * text longer than the budget gets a batch of its own). Returns indices into `lengths`; callers restore order.
 */
export function planBatches(
  lengths: readonly number[],
  maxBatchSize: number,
  maxBatchTokens: number,
): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let width = 0;
  for (const index of order) {
    const length = lengths[index]!;
    const nextWidth = Math.max(width, length);
    if (
      current.length > 0 &&
      (current.length >= maxBatchSize || nextWidth * (current.length + 1) > maxBatchTokens)
    ) {
      batches.push(current);
      current = [];
      width = 0;
    }
    current.push(index);
    width = Math.max(width, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
