// A builder thread: links the slots of a job into the shared graph, taking items from the
// shared counter until none are left or the job is aborted (see node-parallel-linker.ts).
import { parentPort } from 'node:worker_threads';
import { HnswGraph } from './hnsw-graph.js';
import {
  ABORT_FLAG,
  type BuildWorkerMessage,
  type BuildWorkerReply,
  NEXT_ITEM,
} from './node-parallel-linker.js';
import { attachWasmBuildKernel } from './wasm-vector-kernel.js';

parentPort?.on('message', ({ job, region, control, done }: BuildWorkerMessage) => {
  let reply: BuildWorkerReply = { type: 'finished' };
  try {
    const graph = HnswGraph.attach(attachWasmBuildKernel(job.kernel, region), job.graph);
    for (;;) {
      if (Atomics.load(control, ABORT_FLAG) !== 0) break;
      const item = Atomics.add(control, NEXT_ITEM, 1);
      if (item >= job.count) break;
      graph.insertConcurrent(job.first + item);
      Atomics.store(done, item, 1);
    }
  } catch (error) {
    Atomics.store(control, ABORT_FLAG, 1);
    reply = {
      type: 'failed',
      message: error instanceof Error ? (error.stack ?? error.message) : String(error),
    };
  }
  parentPort?.postMessage(reply);
});
