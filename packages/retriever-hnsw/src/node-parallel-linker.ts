import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ParallelLinker, ParallelLinkJob, ParallelLinkRun } from './parallel-linker.js';
import { MAX_BUILD_THREADS } from './wasm-vector-kernel.js';

/** Words of the job's control array: the next item to take, and the abort flag. */
export const NEXT_ITEM = 0;
export const ABORT_FLAG = 1;
/** A job's control array, shared with its builder threads (both words 0). */
const createJobControl = () => new Int32Array(new SharedArrayBuffer(2 * Int32Array.BYTES_PER_ELEMENT));

/** What a builder thread is sent for one job. */
export interface BuildWorkerMessage {
  readonly job: ParallelLinkJob;
  /** The worker's scratch region in the kernel memory (1..MAX_BUILD_THREADS). */
  readonly region: number;
  readonly control: Int32Array;
  readonly done: Uint8Array;
}

export type BuildWorkerReply =
  | { readonly type: 'finished' }
  | { readonly type: 'failed'; readonly message: string };

const workerScript = new URL('./hnsw-build-worker.js', import.meta.url);

/** Builder threads on Node's worker_threads (null when one thread would do, or no compiled script exists). */
export function startNodeLinker(requested: number | 'auto'): ParallelLinker | null {
  const threads = Math.min(MAX_BUILD_THREADS, requested === 'auto' ? availableParallelism() : requested);
  if (threads <= 1 || !existsSync(fileURLToPath(workerScript))) return null;
  const workers = Array.from({ length: threads }, () => new Worker(workerScript));
  let broken = false;
  for (const worker of workers) {
    worker.unref();
    worker.once('exit', () => {
      broken = true;
    });
  }
  return {
    threads,
    get broken() {
      return broken;
    },
    start(job): ParallelLinkRun {
      const control = createJobControl();
      const done = new Uint8Array(new SharedArrayBuffer(Math.max(1, job.count)));
      const stopAll = () => Atomics.store(control, ABORT_FLAG, 1);
      const perWorker = workers.map(
        (worker, i) =>
          new Promise<void>((resolve, reject) => {
            const onMessage = (reply: BuildWorkerReply) => {
              worker.off('error', onError);
              if (reply.type === 'finished') resolve();
              else {
                stopAll();
                reject(new Error(`HNSW builder thread failed: ${reply.message}`));
              }
            };
            const onError = (error: Error) => {
              worker.off('message', onMessage);
              stopAll();
              reject(error);
            };
            worker.once('message', onMessage);
            worker.once('error', onError);
            const message: BuildWorkerMessage = { job, region: i + 1, control, done };
            worker.postMessage(message);
          }),
      );
      // Settles once every builder has stopped, even when one fails (the others are told to stop).
      const finished = Promise.allSettled(perWorker).then((results) => {
        const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (failure) throw failure.reason;
      });
      return {
        done,
        taken: () => Math.min(job.count, Atomics.load(control, NEXT_ITEM)),
        abort: stopAll,
        finished,
      };
    },
    async close() {
      broken = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
