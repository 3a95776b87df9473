import { RagloomError, throwIfAborted } from '@ragloom/core';

/**
 * Runs `work` over items with at most `concurrency` in flight, returning results in input order. The
 * first failure stops new work and is rethrown once the running items settle; an abort does the same
 * with ABORTED.
 */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  concurrency: number,
  work: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<R[]> {
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `concurrency must be a positive integer, got ${String(concurrency)}`,
    );
  }
  const results = new Array<R>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const index = next++;
      try {
        throwIfAborted(signal, 'evaluation');
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
  return results;
}
