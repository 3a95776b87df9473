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

/** Builder threads. */
export interface ParallelLinker {
  readonly threads: number;
  /** A thread exited (it failed, or was killed): this linker takes no more jobs. */
  readonly broken: boolean;
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
  // A specifier bundlers leave alone: the Node-only module (worker_threads, fs) is never pulled into
  // a browser bundle, where this line is not reached.
  const nodeLinkerModule: string = './node-parallel-linker.js';
  const { startNodeLinker } = (await import(
    /* @vite-ignore */ nodeLinkerModule
  )) as typeof import('./node-parallel-linker.js');
  return startNodeLinker(threads);
}

/**
 * Keeps one index's builder threads between upserts (starting them costs tens of milliseconds
 * each, paid once per burst of large upserts rather than per call): the threads stop after
 * `idleMs` without a job, and on `close`. They never keep a process alive (unref'd).
 */
export class LinkerPool {
  private linker: Promise<ParallelLinker | null> | undefined;
  private idle: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly threads: number | 'auto',
    private readonly idleMs = 5000,
  ) {}

  /** The builder threads (started on first need), or null when this runtime builds on one thread. */
  async acquire(): Promise<ParallelLinker | null> {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = undefined;
    const current = await this.linker;
    if (current?.broken) {
      this.linker = undefined;
      await current.close();
    }
    this.linker ??= openParallelLinker(this.threads).catch(() => null);
    return this.linker;
  }

  /** After a job: the threads stop unless another job comes within `idleMs`. */
  release(): void {
    if (this.idle !== undefined) clearTimeout(this.idle);
    const timer = setTimeout(() => {
      void this.close();
    }, this.idleMs);
    (timer as { unref?: () => void }).unref?.();
    this.idle = timer;
  }

  async close(): Promise<void> {
    if (this.idle !== undefined) clearTimeout(this.idle);
    this.idle = undefined;
    const linker = this.linker;
    this.linker = undefined;
    await (await linker)?.close();
  }
}
