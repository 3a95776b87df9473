import { throwIfAborted } from '../util/abort.js';

/**
 * Lets other work run (timers, I/O, a search on the same index, an abort) during a long synchronous loop:
 * `setImmediate` where there is one (Node, Bun), else a zero timeout (browsers, edge runtimes).
 */
export function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (callback: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => {
    if (typeof immediate === 'function') immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

export interface TimeSlicerOptions {
  /** How long the loop may hold the thread between yields. Default 25 ms. */
  readonly sliceMs?: number;
  /** Checked after every yield: an abort stops the loop with ABORTED. */
  readonly signal?: AbortSignal | undefined;
  /** Named in the ABORTED error (`upsert was aborted`). */
  readonly what?: string;
  /** The clock; injectable for tests. Default `performance.now`. */
  readonly now?: () => number;
}

export interface TimeSlicer {
  /** True when the current slice is used up: report progress, then `await slicer.yield()`. */
  due(): boolean;
  /** Yields to the event loop, throws ABORTED when the signal fired meanwhile, and starts a new slice. */
  yield(): Promise<void>;
}

/**
 * Time slicing for long loops (analysing or inserting thousands of records), so a large upsert neither blocks
 * the host's event loop nor ignores an abort:
 *
 * ```ts
 * const slicer = createTimeSlicer({ signal, what: 'upsert' });
 * for (let i = 0; i < records.length; i++) {
 *   insert(records[i]);
 *   if (slicer.due()) { onProgress?.({ phase: 'insert', completed: i + 1, total }); await slicer.yield(); }
 * }
 * ```
 */
export function createTimeSlicer(options: TimeSlicerOptions = {}): TimeSlicer {
  const sliceMs = options.sliceMs ?? 25;
  const now = options.now ?? (() => performance.now());
  let sliceStart = now();
  return {
    due: () => now() - sliceStart >= sliceMs,
    async yield() {
      await yieldToEventLoop();
      throwIfAborted(options.signal, options.what ?? 'operation');
      sliceStart = now();
    },
  };
}
