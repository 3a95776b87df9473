/** Messages between the bench runner and its worker processes (one process per library). */
/** ragloom with its default (WebAssembly SIMD) kernel, ragloom forced onto its pure-JS kernel, and the peer. */
export type Side = 'ragloom' | 'ragloom-js' | 'hnswlib-node';

export interface DatasetRequest {
  readonly dataset: 'mnist' | 'synthetic';
  readonly quick: boolean;
}

export type RunnerMessage =
  | { type: 'prepare'; side: Side; data: DatasetRequest; M: number; efConstruction: number }
  | { type: 'insert'; from: number; to: number }
  | { type: 'finish-build' }
  | { type: 'query'; ef: number; k: number }
  | { type: 'persist'; file: string }
  | { type: 'drop' }
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'prepared'; kernel: string; baseCount: number }
  | { type: 'inserted'; wallSeconds: number; cpuSeconds: number }
  | { type: 'built'; rssBeforeBytes: number; rssAfterBytes: number }
  | { type: 'queried'; wallSeconds: number; cpuSeconds: number; neighbors: number[] }
  | {
      type: 'persisted';
      saveSeconds: number;
      loadSeconds: number;
      fileBytes: number;
      sameAnswers: boolean;
      /** Time to allocate and first write a buffer of the file's size: the machine's floor for any load. */
      touchSeconds: number;
    }
  | { type: 'dropped'; rssBeforeBytes: number; rssAfterBytes: number }
  | { type: 'error'; message: string };
