/**
 * Runs mutations (upsert, delete, compact, save, close) one at a time, in call order; a failed
 * one does not stop the next. Searches do not queue: they run between a mutation's steps, each
 * of which leaves every record whole (see hnsw-retriever.ts).
 */
export function createMutationQueue(): <T>(work: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/** Milliseconds of work between two yields to the event loop. */
export const YIELD_EVERY_MS = 25;
