/**
 * Runs the calls one after another, then all at once (every call started before any settles), and
 * returns both result lists in call order. The sequential run comes first so that a component with
 * per-instance state corrupted by overlapping calls is compared against its clean output.
 */
export async function sequentialThenConcurrent<T>(
  calls: readonly (() => Promise<T>)[],
): Promise<{ sequential: T[]; concurrent: T[] }> {
  const sequential: T[] = [];
  for (const call of calls) sequential.push(await call());
  const concurrent = await Promise.all(calls.map((call) => call()));
  return { sequential, concurrent };
}

/**
 * Waits for the next macrotask, so that work a component schedules with setImmediate or setTimeout
 * (yielding inside a long upsert) gets to run between two probes of a test.
 */
export function nextMacrotask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Settles a promise into a value the caller can check later, without an unhandled rejection. */
export function settle<T>(
  promise: Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  return promise.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}
