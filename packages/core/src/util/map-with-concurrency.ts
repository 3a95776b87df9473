import { RagloomError } from '../errors/ragloom-error.js';
import { throwIfAborted } from './abort.js';

/**
 * Runs `work` over `items` with at most `concurrency` in flight and returns the results in input order.
 * The first failure stops new work from starting and is rethrown once the running calls settle; an
 * aborted signal stops it the same way with `ABORTED`.
 */
export async function mapWithConcurrency<T, R>(
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
        throwIfAborted(signal);
        results[index] = await work(items[index]!, index);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  if (failure) throw failure.error;
  return results;
}
