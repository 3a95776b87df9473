/** Messages between the bench runner and its worker processes (one process per library). */
export type Side = 'ragloom' | 'hnswlib-node';

export interface DatasetRequest {
  readonly dataset: 'mnist' | 'synthetic';
  readonly quick: boolean;
}

export type RunnerMessage =
  | { type: 'build'; side: Side; data: DatasetRequest; M: number; efConstruction: number }
  | { type: 'query'; ef: number; k: number }
  | { type: 'persist'; file: string }
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'ready' }
  | {
      type: 'built';
      buildSeconds: number;
      buildCpuSeconds: number;
      rssBeforeBytes: number;
      rssAfterBytes: number;
      kernel: string;
    }
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
  | { type: 'error'; message: string };
