/** Messages between the bench runner and its worker processes (one process per library or setting). */

/**
 * ragloom building on one thread, ragloom building on builder threads, ragloom forced onto its
 * pure-JS kernel, and the peer.
 */
export type Side = 'ragloom' | 'ragloom-2t' | 'ragloom-js' | 'hnswlib-node' | 'hnswlib-bruteforce';

export interface DatasetRequest {
  readonly dataset: 'mnist' | 'synthetic';
  /** Base vectors of the synthetic set. */
  readonly size: number;
  /** Dimension of the synthetic set. */
  readonly dimension: number;
  readonly queryCount: number;
}

/** A filter of the filtered runs: records whose `sel` (= index mod 1000) is below `below`. */
export interface FilterSpec {
  readonly label: string;
  readonly below: number;
}

export type QueryMode =
  /** The index as a user would call it (ragloom plans walk or scan itself; hnswlib walks). */
  | 'index'
  /** Exact search: ragloom's scan (`exact: true`); the hnswlib-bruteforce side is exact anyway. */
  | 'exact';

export type RunnerMessage =
  | {
      type: 'prepare';
      side: Side;
      data: DatasetRequest;
      M: number;
      efConstruction: number;
      threads: number;
      batch: number;
    }
  | { type: 'insert'; from: number; to: number }
  | { type: 'finish-build' }
  | { type: 'query'; ef: number; k: number; filter?: FilterSpec; mode?: QueryMode; queries?: number }
  | { type: 'persist'; file: string }
  | { type: 'add-filter-metadata' }
  /** hnswlib-bruteforce: rebuild over the vectors that pass `filter` only (see bench-worker). */
  | { type: 'restrict'; filter: FilterSpec }
  | { type: 'quantize'; from: string; to: string; quantization: 'int8' | 'binary' }
  | { type: 'open-quantized'; file: string; floatVectors: 'memory' | 'file'; planned?: boolean }
  | { type: 'drop' }
  | { type: 'exit' };

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'prepared'; kernel: string; baseCount: number }
  | { type: 'inserted'; wallSeconds: number; cpuSeconds: number }
  | { type: 'built'; rssBeforeBytes: number; rssAfterBytes: number; linkedInParallel: number }
  | {
      type: 'queried';
      wallSeconds: number;
      cpuSeconds: number;
      neighbors: number[];
      paths?: Record<string, number>;
    }
  | {
      type: 'persisted';
      saveSeconds: number;
      loadSeconds: number;
      fileBytes: number;
      sameAnswers: boolean;
      /** Time to allocate and first write a buffer of the file's size: the machine's floor for any load. */
      touchSeconds: number;
    }
  | { type: 'metadata-added'; seconds: number }
  | { type: 'restricted'; count: number }
  | { type: 'quantized'; seconds: number; fileBytes: number }
  | { type: 'opened'; loadSeconds: number; rssBeforeBytes: number; floatVectors: string }
  | { type: 'dropped'; rssBeforeBytes: number; rssAfterBytes: number }
  | { type: 'error'; message: string };
