// One library in its own process: the RSS delta of a build is then that library's alone, and
// neither side's garbage or JIT state slows the other. Driven by run-bench over IPC.
import { statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createHnswRetriever, type HnswRetriever, loadHnswRetriever } from '@ragloom/retriever-hnsw';
import type { RunnerMessage, WorkerMessage } from './bench-protocol.js';
import { type Dataset, loadDatasetFor } from './datasets.js';

interface HnswlibIndex {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void;
  addPoint(point: number[], label: number): void;
  setEf(ef: number): void;
  searchKnn(query: number[], k: number): { neighbors: number[]; distances: number[] };
  writeIndexSync(file: string): void;
  readIndexSync(file: string): void;
}
type HnswlibModule = { HierarchicalNSW: new (space: string, dim: number) => HnswlibIndex };

const send = (message: WorkerMessage) => process.send!(message);
const gc = () => (globalThis as { gc?: () => void }).gc?.();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

let rssBeforeBytes = 0;
let dimension = 0;

/** Loads the data and creates an empty index; the baseline RSS is taken here. */
async function prepare(message: Extract<RunnerMessage, { type: 'prepare' }>): Promise<WorkerMessage> {
  data = loadDatasetFor(message.data);
  const dim = data.dimension;
  dimension = dim;
  ourQueries = Array.from({ length: data.queryCount }, (_, q) => data.queries.slice(q * dim, (q + 1) * dim));
  theirQueries = ourQueries.map((q) => Array.from(q));
  rssBeforeBytes = await settledRss();
  let kernel = 'native (SSE)';
  if (message.side !== 'hnswlib-node') {
    ours = createHnswRetriever({
      kernel: message.side === 'ragloom-js' ? 'js' : 'wasm',
      encoderModelId: data.name,
      dimension: dim,
      metric: data.metric,
      M: message.M,
      efConstruction: message.efConstruction,
      // Benchmark the graph: no exact shortcut for small result sets.
      exactSearchThreshold: 0,
    });
    kernel = ours.stats().kernel;
  } else {
    const require = createRequire(import.meta.url);
    const { HierarchicalNSW } = require('hnswlib-node') as HnswlibModule;
    theirs = new HierarchicalNSW(data.metric === 'l2' ? 'l2' : 'cosine', dim);
    theirs.initIndex(data.baseCount, message.M, message.efConstruction, 100);
  }
  return { type: 'prepared', kernel, baseCount: data.baseCount };
}

/** Inserts base vectors [from, to): ragloom through upsert (1,000 records a call), hnswlib one addPoint each. */
async function insert(from: number, to: number): Promise<WorkerMessage> {
  const dim = dimension;
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  if (ours) {
    for (let start = from; start < to; start += 1000) {
      const records = [];
      for (let i = start; i < Math.min(to, start + 1000); i++) {
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

async function query(ef: number, k: number): Promise<WorkerMessage> {
  const neighbors = new Array<number>(data.queryCount * k).fill(-1);
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  if (ours) {
    for (let q = 0; q < ourQueries.length; q++) {
      const hits = await ours.search({ vector: ourQueries[q]!, k, ef });
      for (let j = 0; j < hits.length; j++) neighbors[q * k + j] = Number(hits[j]!.id);
    }
  } else {
    theirs!.setEf(ef);
    for (let q = 0; q < theirQueries.length; q++) {
      const result = theirs!.searchKnn(theirQueries[q]!, k);
      for (let j = 0; j < result.neighbors.length; j++) neighbors[q * k + j] = result.neighbors[j]!;
    }
  }
  return {
    type: 'queried',
    wallSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds() - cpu0,
    neighbors,
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
    const loaded = await loadHnswRetriever(file, { exactSearchThreshold: 0 });
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
  const require = createRequire(import.meta.url);
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
        return { type: 'built', rssBeforeBytes, rssAfterBytes: await settledRss() };
      case 'query':
        return query(message.ef, message.k);
      case 'persist':
        return persist(message.file);
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
