// One library (or one setting of ragloom) in its own process: the RSS of an index is then that
// library's alone, and neither side's garbage or JIT state slows the other. Driven by run-bench
// over IPC.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHnswRetriever, type HnswRetriever, loadHnswRetriever } from '@ragloom/retriever-hnsw';
import type { FilterSpec, QueryMode, RunnerMessage, WorkerMessage } from './bench-protocol.js';
import { type Dataset, loadDatasetFor, selOf } from './datasets.js';

interface HnswlibIndex {
  initIndex(maxElements: number, m?: number, efConstruction?: number, randomSeed?: number): void;
  addPoint(point: number[], label: number): void;
  /** HierarchicalNSW only. */
  setEf?(ef: number): void;
  searchKnn(
    query: number[],
    k: number,
    filter?: (label: number) => boolean,
  ): { neighbors: number[]; distances: number[] };
  writeIndexSync(file: string): void;
  readIndexSync(file: string): void;
}
type HnswlibModule = {
  HierarchicalNSW: new (space: string, dim: number) => HnswlibIndex;
  BruteforceSearch: new (space: string, dim: number) => HnswlibIndex;
};

const send = (message: WorkerMessage) => process.send!(message);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const require = createRequire(import.meta.url);

/**
 * RSS once garbage is really gone: V8 frees large array buffers on a background thread after a
 * GC, so read until two readings 100 ms apart agree within 1 MiB.
 */
async function settledRss(): Promise<number> {
  let last = Number.POSITIVE_INFINITY;
  for (let i = 0; i < 30; i++) {
    gc();
    await sleep(100);
    const rss = process.memoryUsage().rss;
    if (Math.abs(rss - last) < 1 << 20) return rss;
    last = rss;
  }
  return last;
}
const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

let data: Dataset;
let ours: HnswRetriever | undefined;
let theirs: HnswlibIndex | undefined;
let theirQueries: number[][] = [];
let ourQueries: Float32Array[] = [];
let batch = 10_000;
let exactPeer = false;
let rssBeforeBytes = 0;
let dimension = 0;

/** Loads the data and creates an empty index; the baseline RSS is taken here. */
async function prepare(message: Extract<RunnerMessage, { type: 'prepare' }>): Promise<WorkerMessage> {
  data = loadDatasetFor(message.data);
  const dim = data.dimension;
  dimension = dim;
  batch = message.batch;
  ourQueries = Array.from({ length: data.queryCount }, (_, q) => data.queries.slice(q * dim, (q + 1) * dim));
  theirQueries = ourQueries.map((q) => Array.from(q));
  rssBeforeBytes = await settledRss();
  let kernel = 'native (SSE)';
  if (message.side.startsWith('ragloom')) {
    ours = createHnswRetriever({
      kernel: message.side === 'ragloom-js' ? 'js' : 'wasm',
      encoderModelId: data.name,
      dimension: dim,
      metric: data.metric,
      M: message.M,
      efConstruction: message.efConstruction,
      buildThreads: message.side === 'ragloom-2t' ? message.threads : 1,
      // Benchmark the graph: no exact scan for small result sets.
      fullScanThreshold: 0,
    });
    kernel = `${ours.stats().kernel}${message.side === 'ragloom-2t' ? `, ${message.threads} threads` : ''}`;
  } else if (message.side === 'hnswlib-node') {
    const { HierarchicalNSW } = require('hnswlib-node') as HnswlibModule;
    theirs = new HierarchicalNSW(data.metric === 'l2' ? 'l2' : 'cosine', dim);
    theirs.initIndex(data.baseCount, message.M, message.efConstruction, 100);
  } else {
    // The exact peer of the filtered runs: hnswlib-node's BruteforceSearch over every vector.
    const { BruteforceSearch } = require('hnswlib-node') as HnswlibModule;
    theirs = new BruteforceSearch(data.metric === 'l2' ? 'l2' : 'cosine', dim);
    theirs.initIndex(data.baseCount);
    for (let i = 0; i < data.baseCount; i++)
      theirs.addPoint(Array.from(data.base.subarray(i * dim, (i + 1) * dim)), i);
    kernel = 'native brute force';
  }
  return { type: 'prepared', kernel, baseCount: data.baseCount };
}

/** Inserts base vectors [from, to): ragloom through upsert (`batch` records a call), hnswlib one addPoint each. */
async function insert(from: number, to: number): Promise<WorkerMessage> {
  const dim = dimension;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  if (ours) {
    for (let start = from; start < to; start += batch) {
      const records = [];
      for (let i = start; i < Math.min(to, start + batch); i++) {
        records.push({ id: String(i), text: '', vector: data.base.subarray(i * dim, (i + 1) * dim) });
      }
      await ours.upsert(records);
    }
  } else {
    for (let i = from; i < to; i++)
      theirs!.addPoint(Array.from(data.base.subarray(i * dim, (i + 1) * dim)), i);
  }
  return { type: 'inserted', wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: cpuSeconds() - cpu0 };
}

async function query(
  ef: number,
  k: number,
  filter: FilterSpec | undefined,
  mode: QueryMode,
  count: number,
): Promise<WorkerMessage> {
  const neighbors = new Array<number>(count * k).fill(-1);
  const before = ours?.stats().searches;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  if (ours) {
    const where = filter ? { sel: { $lt: filter.below } } : undefined;
    for (let q = 0; q < count; q++) {
      const hits = await ours.search({
        vector: ourQueries[q]!,
        k,
        ef,
        filter: where,
        exact: mode === 'exact',
      });
      for (let j = 0; j < hits.length; j++) neighbors[q * k + j] = Number(hits[j]!.id);
    }
  } else {
    const index = theirs!;
    if (index.setEf) index.setEf(ef);
    // The brute-force side holds only the matching vectors already (see `restrict`).
    const accept = filter && !exactPeer ? (label: number) => selOf(label) < filter.below : undefined;
    for (let q = 0; q < count; q++) {
      const result = index.searchKnn(theirQueries[q]!, k, accept);
      for (let j = 0; j < result.neighbors.length; j++) neighbors[q * k + j] = result.neighbors[j]!;
    }
  }
  const wallSeconds = (performance.now() - t0) / 1000;
  const after = ours?.stats().searches;
  const paths =
    before && after
      ? Object.fromEntries(
          Object.entries(after)
            .map(([p, n]) => [p, n - before[p as keyof typeof before]] as const)
            .filter(([, n]) => n > 0),
        )
      : undefined;
  return {
    type: 'queried',
    wallSeconds,
    cpuSeconds: cpuSeconds() - cpu0,
    neighbors,
    ...(paths ? { paths } : {}),
  };
}

/** Seconds to allocate and first touch `bytes` of fresh memory (page faults dominate on VMs). */
function touchSeconds(bytes: number): number {
  const t0 = performance.now();
  new Uint8Array(bytes).fill(1);
  return (performance.now() - t0) / 1000;
}

async function persist(file: string): Promise<WorkerMessage> {
  let t0 = performance.now();
  let sameAnswers = true;
  if (ours) {
    await ours.writeFile(file);
    const saveSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const loaded = await loadHnswRetriever(file, { fullScanThreshold: 0 });
    const loadSeconds = (performance.now() - t0) / 1000;
    for (const vector of ourQueries.slice(0, 20)) {
      const a = await ours.search({ vector, k: 10, ef: 40 });
      const b = await loaded.search({ vector, k: 10, ef: 40 });
      if (JSON.stringify(a) !== JSON.stringify(b)) sameAnswers = false;
    }
    await loaded.close();
    return persisted(file, saveSeconds, loadSeconds, sameAnswers);
  }
  theirs!.writeIndexSync(file);
  const saveSeconds = (performance.now() - t0) / 1000;
  const { HierarchicalNSW } = require('hnswlib-node') as HnswlibModule;
  const copy = new HierarchicalNSW(data.metric === 'l2' ? 'l2' : 'cosine', data.dimension);
  t0 = performance.now();
  copy.readIndexSync(file);
  const loadSeconds = (performance.now() - t0) / 1000;
  return persisted(file, saveSeconds, loadSeconds, sameAnswers);
}

function persisted(
  file: string,
  saveSeconds: number,
  loadSeconds: number,
  sameAnswers: boolean,
): WorkerMessage {
  const fileBytes = statSync(file).size;
  return {
    type: 'persisted',
    saveSeconds,
    loadSeconds,
    fileBytes,
    sameAnswers,
    touchSeconds: touchSeconds(fileBytes),
  };
}

/**
 * The filtered runs need metadata: ragloom gets `sel` on every record (an upsert with the same
 * vectors only updates metadata — after the RSS measurement, so the unfiltered tables compare
 * bare indexes); hnswlib-node filters by label in a callback and needs nothing.
 */
async function addFilterMetadata(): Promise<WorkerMessage> {
  const t0 = performance.now();
  const dim = dimension;
  if (ours) {
    for (let start = 0; start < data.baseCount; start += batch) {
      const records = [];
      for (let i = start; i < Math.min(data.baseCount, start + batch); i++) {
        records.push({
          id: String(i),
          text: '',
          metadata: { sel: selOf(i) },
          vector: data.base.subarray(i * dim, (i + 1) * dim),
        });
      }
      await ours.upsert(records);
    }
  }
  return { type: 'metadata-added', seconds: (performance.now() - t0) / 1000 };
}

/**
 * The exact peer of the filtered runs: hnswlib-node's BruteforceSearch over the vectors that
 * pass the filter. (Its filter callback is not exact: in hnswlib-node 3.0.0, when fewer than k of
 * the first k vectors pass the filter, the brute-force search prunes with the distance of those
 * few and misses farther matches — recall@10 0.855 at 0.1% selectivity on 20k × 384 here.)
 */
function restrict(filter: FilterSpec): WorkerMessage {
  const { BruteforceSearch } = require('hnswlib-node') as HnswlibModule;
  const dim = dimension;
  let count = 0;
  for (let i = 0; i < data.baseCount; i++) if (selOf(i) < filter.below) count++;
  theirs = undefined;
  gc();
  const index = new BruteforceSearch(data.metric === 'l2' ? 'l2' : 'cosine', dim);
  index.initIndex(count);
  for (let i = 0; i < data.baseCount; i++) {
    if (selOf(i) < filter.below) index.addPoint(Array.from(data.base.subarray(i * dim, (i + 1) * dim)), i);
  }
  theirs = index;
  exactPeer = true;
  return { type: 'restricted', count };
}

/** Re-quantizes a saved float index into a new file (the graph is kept). */
async function quantize(from: string, to: string, quantization: 'int8' | 'binary'): Promise<WorkerMessage> {
  const t0 = performance.now();
  const index = await loadHnswRetriever(from, { quantization, floatVectors: 'memory' });
  await index.save(to);
  await index.close();
  return { type: 'quantized', seconds: (performance.now() - t0) / 1000, fileBytes: statSync(to).size };
}

/**
 * Opens a saved index as the one later queries and the next drop measure: graph walks only, or
 * (`planned`) with the default search planning, which scans when that is cheaper (filtered runs).
 */
async function openQuantized(
  file: string,
  floatVectors: 'memory' | 'file',
  planned: boolean,
): Promise<WorkerMessage> {
  await ours?.close();
  ours = undefined;
  const before = await settledRss();
  const t0 = performance.now();
  ours = await loadHnswRetriever(file, { ...(planned ? {} : { fullScanThreshold: 0 }), floatVectors });
  const loadSeconds = (performance.now() - t0) / 1000;
  return { type: 'opened', loadSeconds, rssBeforeBytes: before, floatVectors: ours.stats().floatVectors };
}

process.on('message', (message: RunnerMessage) => {
  const handle = async (): Promise<WorkerMessage | undefined> => {
    switch (message.type) {
      case 'prepare':
        return prepare(message);
      case 'insert':
        return insert(message.from, message.to);
      case 'drop': {
        // What the index itself holds: the RSS released when it is dropped.
        const before = await settledRss();
        await ours?.close();
        ours = undefined;
        theirs = undefined;
        return { type: 'dropped', rssBeforeBytes: before, rssAfterBytes: await settledRss() };
      }
      case 'finish-build':
        return {
          type: 'built',
          rssBeforeBytes,
          rssAfterBytes: await settledRss(),
          linkedInParallel: ours?.stats().linkedInParallel ?? 0,
        };
      case 'query':
        return query(
          message.ef,
          message.k,
          message.filter,
          message.mode ?? 'index',
          message.queries ?? data.queryCount,
        );
      case 'persist':
        return persist(message.file);
      case 'add-filter-metadata':
        return addFilterMetadata();
      case 'restrict':
        return restrict(message.filter);
      case 'quantize':
        return quantize(message.from, message.to, message.quantization);
      case 'open-quantized':
        return openQuantized(message.file, message.floatVectors, message.planned ?? false);
      case 'exit':
        process.exit(0);
    }
  };
  handle().then(
    (reply) => reply && send(reply),
    (error: unknown) =>
      send({
        type: 'error',
        message: error instanceof Error ? (error.stack ?? error.message) : String(error),
      }),
  );
});
send({ type: 'ready' });
