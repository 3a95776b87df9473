import type { SharedGraphMemory } from './hnsw-graph.js';
import type { SharedKernelHandle } from './vector-kernel.js';

/** Slots [first, first + count) to link, with the shared memory builder threads attach to. */
export interface ParallelLinkJob {
  readonly graph: SharedGraphMemory;
  readonly kernel: SharedKernelHandle;
  readonly first: number;
  readonly count: number;
}

/** A running job: builders take items in order from a shared counter and flag each one linked. */
export interface ParallelLinkRun {
  /** done[i] = 1 once slot first + i is linked. */
  readonly done: Uint8Array;
  /** Items taken by builders so far (a prefix: [0, taken) are linked once `finished` settles). */
  taken(): number;
  /** Builders finish the item they hold and take no more. */
  abort(): void;
  /** Settles when every builder has stopped; rejects with the first builder error. */
  readonly finished: Promise<void>;
}

/** Builder threads for one upsert. */
export interface ParallelLinker {
  readonly threads: number;
  start(job: ParallelLinkJob): ParallelLinkRun;
  close(): Promise<void>;
}

/**
 * Starts builder threads where the runtime has them (Node's worker_threads, with the compiled
 * worker script beside this module), or resolves to null: browsers, other runtimes, and a package
 * run from its TypeScript sources build on the calling thread. The Node module is imported only
 * here, so the package's entry keeps loading in a browser.
 */
export async function openParallelLinker(threads: number | 'auto'): Promise<ParallelLinker | null> {
  if (threads !== 'auto' && threads <= 1) return null;
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  if (versions?.node === undefined || typeof SharedArrayBuffer !== 'function') return null;
  const { startNodeLinker } = await import('./node-parallel-linker.js');
  return startNodeLinker(threads);
}
