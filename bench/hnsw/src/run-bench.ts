// @ragloom/retriever-hnsw side by side with hnswlib-node, in one run, on a seeded clustered
// synthetic set (cosine, exact ground truth) or MNIST 10k (L2): build on one and on two builder
// threads, RSS held, file size, load time, recall@10 and QPS per ef for float32, int8 and binary
// storage, and filtered search at four selectivities against hnswlib-node's filter callback and
// exact search. Each index runs in its own worker process; builds advance in steps and queries in
// rounds, the sides taking turns, so machine load hits all alike (for queries the best round
// counts). Usage: node dist/run-bench.js [--size N] [--queries N] [--quick] [--mnist] ... (README).
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, fixed } from '@ragloom/bench-utils';
import type {
  DatasetRequest,
  FilterSpec,
  QueryMode,
  RunnerMessage,
  Side,
  WorkerMessage,
} from './bench-protocol.js';
import {
  type Dataset,
  dataDir,
  filteredGroundTruth,
  loadDatasetFor,
  recallAgainst,
  recallAtK,
} from './datasets.js';

const args = benchArgs();
const quick = args.flag('quick');
const size = args.number('size', quick ? 20_000 : 100_000);
const dimension = args.number('dim', 384);
const queryCount = args.number('queries', quick ? 200 : 1000);
const rounds = args.number('rounds', quick ? 1 : 3);
const threads = args.number('threads', 2);
const batch = args.number('batch', 10_000);
const mnist = args.flag('mnist') || args.string('only', '') === 'mnist';
const withJs = args.flag('js');
const withQuantized = !args.flag('no-quantized');
const withFiltered = !args.flag('no-filtered') && !mnist;
const filteredQueries = Math.min(queryCount, args.number('filtered-queries', size >= 1_000_000 ? 100 : 200));
const FILTERED_EFS = args
  .string('filtered-efs', '10,40,160')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160];
const K = 10;
const TARGET_RECALL = 0.95;
const FILTERS: FilterSpec[] = [
  { label: '50%', below: 500 },
  { label: '10%', below: 100 },
  { label: '1%', below: 10 },
  { label: '0.1%', below: 1 },
];
const BUILDERS: Side[] = [
  'ragloom',
  'ragloom-2t',
  'hnswlib-node',
  ...(withJs ? ['ragloom-js' as const] : []),
];

/**
 * gc() for settled RSS readings, a fixed 16 MB young generation and no memory reducer in every
 * worker alike, so V8's own heap resizing does not swing the RSS by tens of MB between readings.
 */
const WORKER_FLAGS = [
  '--expose-gc',
  '--min-semi-space-size=16',
  '--max-semi-space-size=16',
  '--no-memory-reducer',
];

class Worker {
  private readonly child: ChildProcess;
  private pending: ((m: WorkerMessage) => void) | undefined;
  private readonly ready: Promise<void>;

  constructor(readonly side: Side) {
    this.child = fork(new URL('./bench-worker.js', import.meta.url), [], { execArgv: WORKER_FLAGS });
    this.ready = new Promise((resolve) => {
      this.pending = () => resolve();
    });
    this.child.on('message', (m: WorkerMessage) => {
      const pending = this.pending;
      this.pending = undefined;
      pending?.(m);
    });
  }

  async ask<T extends WorkerMessage['type']>(
    message: RunnerMessage,
    expect: T,
  ): Promise<Extract<WorkerMessage, { type: T }>> {
    await this.ready;
    const reply = await new Promise<WorkerMessage>((resolve) => {
      this.pending = resolve;
      this.child.send(message);
    });
    if (reply.type === 'error') throw new Error(`${this.side} worker: ${reply.message}`);
    if (reply.type !== expect)
      throw new Error(`${this.side} worker answered ${reply.type}, expected ${expect}`);
    return reply as Extract<WorkerMessage, { type: T }>;
  }

  stop() {
    this.child.send({ type: 'exit' } satisfies RunnerMessage);
  }
}

/** Recall and best-of-rounds QPS (wall-clock and CPU) per ef. */
class QueryTable {
  readonly recall = new Map<number, number>();
  readonly qps = new Map<number, number>();
  readonly cpuQps = new Map<number, number>();
  readonly paths = new Map<number, Record<string, number>>();

  add(ef: number, recall: number, reply: Extract<WorkerMessage, { type: 'queried' }>, count: number) {
    this.recall.set(ef, recall);
    this.qps.set(ef, Math.max(this.qps.get(ef) ?? 0, count / reply.wallSeconds));
    this.cpuQps.set(ef, Math.max(this.cpuQps.get(ef) ?? 0, count / reply.cpuSeconds));
    if (reply.paths) this.paths.set(ef, reply.paths);
  }

  /** The smallest ef reaching the target recall, if any. */
  firstAtTarget(efs: readonly number[]): number | undefined {
    return efs.find((ef) => (this.recall.get(ef) ?? 0) >= TARGET_RECALL);
  }
}

interface BuildResult {
  kernel: string;
  buildSeconds: number;
  buildCpuSeconds: number;
  rssDeltaBytes: number;
  linkedInParallel: number;
  heldBytes?: number;
  persist?: Extract<WorkerMessage, { type: 'persisted' }>;
}

interface QuantizedResult {
  label: string;
  fileBytes: number;
  loadSeconds: number;
  heldBytes: number;
  convertSeconds: number;
  floatVectors: string;
  ours: QueryTable;
  theirs: QueryTable;
}

interface FilteredResult {
  filter: FilterSpec;
  ours: QueryTable;
  theirs: QueryTable;
  oursExact: QueryTable;
  bruteForce: QueryTable;
}

const mb = (bytes: number) => bytes / (1 << 20);
const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const started = Date.now();

/** Runs `work` for each side, in alternating order from one call to the next. */
let turn = 0;
async function inTurns<T>(sides: readonly Side[], work: (side: Side) => Promise<T>): Promise<void> {
  const order = turn++ % 2 === 0 ? sides : [...sides].reverse();
  for (const side of order) await work(side);
}

async function run(request: DatasetRequest) {
  const data = loadDatasetFor(request, log);
  log(`${data.name}: ${data.baseCount} × ${data.dimension} (${data.metric}), ${data.queryCount} queries`);
  const workers = new Map<Side, Worker>(BUILDERS.map((side) => [side, new Worker(side)]));
  const get = (side: Side) => workers.get(side)!;
  const builds = new Map<Side, BuildResult>();
  const tables = new Map<Side, QueryTable>(BUILDERS.map((side) => [side, new QueryTable()]));
  const quantized: QuantizedResult[] = [];
  const filtered: FilteredResult[] = [];
  const recallOf = (reply: Extract<WorkerMessage, { type: 'queried' }>) =>
    recallAtK(data, Int32Array.from(reply.neighbors), K);
  const queryRounds = async (
    sides: Side[],
    ef: number,
    record: (side: Side, reply: Extract<WorkerMessage, { type: 'queried' }>) => void,
  ) => {
    for (let round = 0; round < rounds; round++) {
      await inTurns(sides, async (side) =>
        record(side, await get(side).ask({ type: 'query', ef, k: K }, 'queried')),
      );
    }
  };
  try {
    const kernels = new Map<Side, string>();
    let baseCount = 0;
    for (const side of BUILDERS) {
      const prepared = await get(side).ask(
        { type: 'prepare', side, data: request, M, efConstruction: EF_CONSTRUCTION, threads, batch },
        'prepared',
      );
      kernels.set(side, prepared.kernel);
      baseCount = prepared.baseCount;
    }
    // Builds advance in steps, the sides taking turns, so that changes in machine load fall on all.
    const steps = 10;
    const time = new Map<Side, { wall: number; cpu: number }>(BUILDERS.map((s) => [s, { wall: 0, cpu: 0 }]));
    log(`building (M=${M}, efConstruction=${EF_CONSTRUCTION}) in ${steps} alternating steps ...`);
    for (let step = 0; step < steps; step++) {
      const from = Math.floor((step * baseCount) / steps);
      const to = Math.floor(((step + 1) * baseCount) / steps);
      await inTurns(BUILDERS, async (side) => {
        const reply = await get(side).ask({ type: 'insert', from, to }, 'inserted');
        time.get(side)!.wall += reply.wallSeconds;
        time.get(side)!.cpu += reply.cpuSeconds;
      });
      log(
        `  step ${step + 1}/${steps}: ${BUILDERS.map((s) => `${s} ${fixed(time.get(s)!.wall, 1)} s`).join(', ')}`,
      );
    }
    for (const side of BUILDERS) {
      const built = await get(side).ask({ type: 'finish-build' }, 'built');
      builds.set(side, {
        kernel: kernels.get(side)!,
        buildSeconds: time.get(side)!.wall,
        buildCpuSeconds: time.get(side)!.cpu,
        rssDeltaBytes: built.rssAfterBytes - built.rssBeforeBytes,
        linkedInParallel: built.linkedInParallel,
      });
    }
    // One unmeasured pass each first: JIT warm-up, page cache, lazily touched memory.
    for (const side of BUILDERS) await get(side).ask({ type: 'query', ef: EFS[0]!, k: K }, 'queried');
    for (const ef of EFS) {
      await queryRounds(BUILDERS, ef, (side, reply) =>
        tables.get(side)!.add(ef, recallOf(reply), reply, data.queryCount),
      );
      log(
        `  ef=${ef}: ${BUILDERS.map((s) => `${s} ${fixed(tables.get(s)!.recall.get(ef)!, 4)} / ${fixed(tables.get(s)!.qps.get(ef)!, 0)} QPS`).join(', ')}`,
      );
    }
    mkdirSync(dataDir, { recursive: true });
    const floatFile = join(dataDir, `index-ragloom-${data.name}.hnsw`);
    const peerFile = join(dataDir, `index-hnswlib-${data.name}.bin`);
    builds.get('ragloom')!.persist = await get('ragloom').ask(
      { type: 'persist', file: floatFile },
      'persisted',
    );
    builds.get('hnswlib-node')!.persist = await get('hnswlib-node').ask(
      { type: 'persist', file: peerFile },
      'persisted',
    );
    rmSync(peerFile, { force: true });
    // What each index holds: the RSS released when it is dropped (hnswlib-node's at the very end).
    for (const side of BUILDERS.filter((s) => s !== 'hnswlib-node')) {
      const dropped = await get(side).ask({ type: 'drop' }, 'dropped');
      builds.get(side)!.heldBytes = dropped.rssBeforeBytes - dropped.rssAfterBytes;
      if (side !== 'ragloom') {
        get(side).stop();
        workers.delete(side);
      }
    }

    if (withFiltered) {
      log(`filtered search at ${FILTERS.map((f) => f.label).join(', ')} (${filteredQueries} queries) ...`);
      const truth = filteredGroundTruth(
        data,
        FILTERS.map((f) => f.below),
        filteredQueries,
        K,
        log,
      );
      // The index as users open it: default planning (a scan when the matches are few).
      await get('ragloom').ask(
        { type: 'open-quantized', file: floatFile, floatVectors: 'memory', planned: true },
        'opened',
      );
      await get('ragloom').ask({ type: 'add-filter-metadata' }, 'metadata-added');
      workers.set('hnswlib-bruteforce', new Worker('hnswlib-bruteforce'));
      await get('hnswlib-bruteforce').ask(
        {
          type: 'prepare',
          side: 'hnswlib-bruteforce',
          data: request,
          M,
          efConstruction: EF_CONSTRUCTION,
          threads,
          batch,
        },
        'prepared',
      );
      const ask = (side: Side, filter: FilterSpec, ef: number, mode: QueryMode = 'index') =>
        get(side).ask({ type: 'query', ef, k: K, filter, mode, queries: filteredQueries }, 'queried');
      for (const filter of FILTERS) {
        const gt = truth.get(filter.below)!;
        const recall = (reply: Extract<WorkerMessage, { type: 'queried' }>) =>
          recallAgainst(gt, K, Int32Array.from(reply.neighbors), K, filteredQueries);
        const result: FilteredResult = {
          filter,
          ours: new QueryTable(),
          theirs: new QueryTable(),
          oursExact: new QueryTable(),
          bruteForce: new QueryTable(),
        };
        await ask('ragloom', filter, FILTERED_EFS[0]!); // warm-up (builds the payload index)
        for (const ef of FILTERED_EFS) {
          await inTurns(['ragloom', 'hnswlib-node'], async (side) => {
            const reply = await ask(side, filter, ef);
            (side === 'ragloom' ? result.ours : result.theirs).add(ef, recall(reply), reply, filteredQueries);
          });
        }
        const exact = await ask('ragloom', filter, K, 'exact');
        result.oursExact.add(K, recall(exact), exact, filteredQueries);
        await get('hnswlib-bruteforce').ask({ type: 'restrict', filter }, 'restricted');
        const brute = await ask('hnswlib-bruteforce', filter, K, 'exact');
        result.bruteForce.add(K, recall(brute), brute, filteredQueries);
        filtered.push(result);
        log(
          `  ${filter.label}: ragloom ${FILTERED_EFS.map((ef) => `${fixed(result.ours.recall.get(ef)!, 3)}/${fixed(result.ours.qps.get(ef)!, 0)}`).join(' ')}; hnswlib filter ${FILTERED_EFS.map((ef) => `${fixed(result.theirs.recall.get(ef)!, 3)}/${fixed(result.theirs.qps.get(ef)!, 0)}`).join(' ')}; exact ${fixed(result.oursExact.qps.get(K)!, 0)} / brute force ${fixed(result.bruteForce.qps.get(K)!, 0)} QPS`,
        );
      }
      get('hnswlib-bruteforce').stop();
      workers.delete('hnswlib-bruteforce');
    }

    if (withQuantized) {
      const variants = [
        { quantization: 'int8' as const, floatVectors: 'file' as const },
        { quantization: 'int8' as const, floatVectors: 'memory' as const },
        { quantization: 'binary' as const, floatVectors: 'file' as const },
      ];
      const converted = new Map<string, { file: string; seconds: number; bytes: number }>();
      for (const variant of variants) {
        const label = `${variant.quantization} (floats in ${variant.floatVectors})`;
        log(`${label} ...`);
        let file = converted.get(variant.quantization);
        if (!file) {
          const to = join(dataDir, `index-ragloom-${data.name}-${variant.quantization}.hnsw`);
          // Drop whatever the worker holds first, so that the conversion's memory is freed.
          await get('ragloom').ask({ type: 'drop' }, 'dropped');
          const reply = await get('ragloom').ask(
            { type: 'quantize', from: floatFile, to, quantization: variant.quantization },
            'quantized',
          );
          file = { file: to, seconds: reply.seconds, bytes: reply.fileBytes };
          converted.set(variant.quantization, file);
        }
        await get('ragloom').ask({ type: 'drop' }, 'dropped');
        const opened = await get('ragloom').ask(
          { type: 'open-quantized', file: file.file, floatVectors: variant.floatVectors },
          'opened',
        );
        const result: QuantizedResult = {
          label,
          fileBytes: file.bytes,
          loadSeconds: opened.loadSeconds,
          heldBytes: 0,
          convertSeconds: file.seconds,
          floatVectors: opened.floatVectors,
          ours: new QueryTable(),
          theirs: new QueryTable(),
        };
        await get('ragloom').ask({ type: 'query', ef: EFS[0]!, k: K }, 'queried');
        for (const ef of EFS) {
          await queryRounds(['ragloom', 'hnswlib-node'], ef, (side, reply) =>
            (side === 'ragloom' ? result.ours : result.theirs).add(
              ef,
              recallOf(reply),
              reply,
              data.queryCount,
            ),
          );
        }
        const dropped = await get('ragloom').ask({ type: 'drop' }, 'dropped');
        result.heldBytes = dropped.rssBeforeBytes - dropped.rssAfterBytes;
        quantized.push(result);
        log(
          `  ${label}: held ${fixed(mb(result.heldBytes), 0)} MB, ${EFS.map((ef) => `${fixed(result.ours.recall.get(ef)!, 4)}/${fixed(result.ours.qps.get(ef)!, 0)}`).join(' ')}`,
        );
      }
      for (const { file } of converted.values()) rmSync(file, { force: true });
    }
    rmSync(floatFile, { force: true });
    const dropped = await get('hnswlib-node').ask({ type: 'drop' }, 'dropped');
    builds.get('hnswlib-node')!.heldBytes = dropped.rssBeforeBytes - dropped.rssAfterBytes;
  } finally {
    for (const w of workers.values()) w.stop();
  }
  return report(data, builds, tables, quantized, filtered);
}

function report(
  data: Dataset,
  builds: Map<Side, BuildResult>,
  tables: Map<Side, QueryTable>,
  quantized: QuantizedResult[],
  filtered: FilteredResult[],
): string[] {
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const peer = builds.get('hnswlib-node')!;
  const peerTable = tables.get('hnswlib-node')!;
  const name = (side: Side) =>
    side === 'hnswlib-node'
      ? 'hnswlib-node (1 thread)'
      : `ragloom (${builds.get(side)!.kernel}${side === 'ragloom' ? ', 1 thread' : ''})`;
  out(
    `### ${data.name}: ${data.baseCount} × ${data.dimension}, ${data.metric}, ${data.queryCount} queries, M=${M}, efConstruction=${EF_CONSTRUCTION}, k=${K}`,
  );
  out();
  out(
    '| | build s | build CPU s | build ratio | RSS Δ build MB | RSS held MB | RSS held ratio | save s | load s | file MB | first-touch s |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const side of BUILDERS) {
    const b = builds.get(side)!;
    const p = b.persist;
    out(
      `| ${name(side)} | ${fixed(b.buildSeconds, 1)} | ${fixed(b.buildCpuSeconds, 1)} | ${side === 'hnswlib-node' ? '' : fixed(b.buildSeconds / peer.buildSeconds, 2)} | ${fixed(mb(b.rssDeltaBytes), 0)} | ${fixed(mb(b.heldBytes ?? 0), 0)} | ${side === 'hnswlib-node' ? '' : fixed((b.heldBytes ?? 0) / (peer.heldBytes ?? 1), 2)} | ${p ? `${fixed(p.saveSeconds, 2)} | ${fixed(p.loadSeconds, 2)} | ${fixed(mb(p.fileBytes), 0)} | ${fixed(p.touchSeconds, 2)}` : ' | | | '} |`,
    );
  }
  out();
  out(
    "build ratio: build seconds / hnswlib-node's (wall-clock; builder threads run in parallel, so their CPU seconds exceed the wall time). RSS held: RSS released when the index is dropped (the build delta also moves with V8 heap resizing). save: ragloom writes a temp file, fsyncs and renames (atomic); load: ragloom verifies every checksum and the graph. first-touch: allocating and writing a buffer of the file size once, the floor any load pays on this machine.",
  );
  out();
  const sides = BUILDERS;
  out(
    `| ef | ${sides.map((s) => `recall@10 ${s}`).join(' | ')} | ${sides.map((s) => `QPS ${s}`).join(' | ')} | QPS ratio ragloom / hnswlib | CPU-time QPS ratio |`,
  );
  out(`|---:|${sides.map(() => '---:|').join('')}${sides.map(() => '---:|').join('')}---:|---:|`);
  const ours = tables.get('ragloom')!;
  for (const ef of EFS) {
    out(
      `| ${ef} | ${sides.map((s) => fixed(tables.get(s)!.recall.get(ef)!, 4)).join(' | ')} | ${sides.map((s) => fixed(tables.get(s)!.qps.get(ef)!, 0)).join(' | ')} | ${fixed(ours.qps.get(ef)! / peerTable.qps.get(ef)!, 2)} | ${fixed(ours.cpuQps.get(ef)! / peerTable.cpuQps.get(ef)!, 2)} |`,
    );
  }
  out();
  const efOurs = ours.firstAtTarget(EFS);
  const efPeer = peerTable.firstAtTarget(EFS);
  const qpsRatio =
    efOurs !== undefined && efPeer !== undefined
      ? ours.qps.get(efOurs)! / peerTable.qps.get(efPeer)!
      : Number.NaN;
  out(
    efOurs !== undefined && efPeer !== undefined
      ? `QPS ratio at recall@10 ≥ ${TARGET_RECALL}: ragloom ef=${efOurs} (${fixed(ours.qps.get(efOurs)!, 0)}) / hnswlib-node ef=${efPeer} (${fixed(peerTable.qps.get(efPeer)!, 0)}) = **${fixed(qpsRatio, 2)}**`
      : `recall@10 ≥ ${TARGET_RECALL} not reached at ef ≤ ${EFS.at(-1)}`,
  );
  const parallel = builds.get('ragloom-2t')!;
  const parallelRatio = parallel.buildSeconds / peer.buildSeconds;
  const recallGap = Math.max(
    ...EFS.map((ef) => Math.abs(tables.get('ragloom-2t')!.recall.get(ef)! - ours.recall.get(ef)!)),
  );
  const peerGap = Math.max(
    ...EFS.map((ef) => Math.abs(tables.get('ragloom-2t')!.recall.get(ef)! - peerTable.recall.get(ef)!)),
  );
  out(
    `parallel build: ${parallel.linkedInParallel} of ${data.baseCount} records linked on builder threads; ${fixed(parallel.buildSeconds, 1)} s = **${fixed(parallelRatio, 2)}×** hnswlib-node's ${fixed(peer.buildSeconds, 1)} s (target ≤ 0.6: ${check(parallelRatio <= 0.6)}), ${fixed(builds.get('ragloom')!.buildSeconds / parallel.buildSeconds, 2)}× faster than one thread; worst recall@10 difference vs one thread ${fixed(recallGap, 4)}, vs hnswlib-node ${fixed(peerGap, 4)} (target ≤ 0.01: ${check(peerGap <= 0.01)})`,
  );
  const js = builds.get('ragloom-js');
  if (js) {
    const jsTable = tables.get('ragloom-js')!;
    const efJs = jsTable.firstAtTarget(EFS);
    out(
      `WebAssembly SIMD kernel vs pure JS: QPS ×${efOurs !== undefined && efJs !== undefined ? fixed(ours.qps.get(efOurs)! / jsTable.qps.get(efJs)!, 2) : 'n/a'} at recall@10 ≥ ${TARGET_RECALL}, build ×${fixed(js.buildSeconds / builds.get('ragloom')!.buildSeconds, 2)} faster`,
    );
  }
  out(`persisted index answers identically: ${builds.get('ragloom')!.persist?.sameAnswers}`);

  if (quantized.length > 0) {
    out();
    out('#### Storage: float32, int8, binary (the same graph, re-quantized from the saved float32 index)');
    out();
    out(
      '| storage | file MB | convert s | load s | RSS held MB | RSS held ratio vs hnswlib-node | recall@10 per ef (10 / 20 / 40 / 80 / 160) | QPS per ef | first ef ≥ 0.95: QPS ratio vs hnswlib-node ≥ 0.95 |',
    );
    out('|---|---:|---:|---:|---:|---:|---|---|---:|');
    const floatRow = builds.get('ragloom')!;
    out(
      `| float32 | ${fixed(mb(floatRow.persist!.fileBytes), 0)} | | ${fixed(floatRow.persist!.loadSeconds, 2)} | ${fixed(mb(floatRow.heldBytes!), 0)} | ${fixed(floatRow.heldBytes! / peer.heldBytes!, 2)} | ${EFS.map((ef) => fixed(ours.recall.get(ef)!, 4)).join(' / ')} | ${EFS.map((ef) => fixed(ours.qps.get(ef)!, 0)).join(' / ')} | ${fixed(qpsRatio, 2)} |`,
    );
    for (const q of quantized) {
      const a = q.ours.firstAtTarget(EFS);
      const b = q.theirs.firstAtTarget(EFS);
      const ratio =
        a !== undefined && b !== undefined ? q.ours.qps.get(a)! / q.theirs.qps.get(b)! : Number.NaN;
      out(
        `| ${q.label} | ${fixed(mb(q.fileBytes), 0)} | ${fixed(q.convertSeconds, 1)} | ${fixed(q.loadSeconds, 2)} | ${fixed(mb(q.heldBytes), 0)} | ${fixed(q.heldBytes / peer.heldBytes!, 2)} | ${EFS.map((ef) => fixed(q.ours.recall.get(ef)!, 4)).join(' / ')} | ${EFS.map((ef) => fixed(q.ours.qps.get(ef)!, 0)).join(' / ')} | ${a === undefined ? 'not reached' : `ef ${a}: ${fixed(ratio, 2)}`} |`,
      );
    }
    out();
    out(
      "hnswlib-node's QPS for the ratios was measured in the same rounds as each row (alternating). With floats in the file, RSS held is codes + links + records + norms: the float rows are read per rescored candidate from the index file, through the OS page cache, which RSS does not count (the loaded file's pages stay cached while memory allows; the file is the float32 index plus the codes).",
    );
    const int8 = quantized.find((q) => q.label.startsWith('int8 (floats in file'));
    if (int8) {
      const a = int8.ours.firstAtTarget(EFS);
      const b = int8.theirs.firstAtTarget(EFS);
      const ratio =
        a !== undefined && b !== undefined ? int8.ours.qps.get(a)! / int8.theirs.qps.get(b)! : Number.NaN;
      const held = int8.heldBytes / peer.heldBytes!;
      out(
        `int8 targets: RSS held ${fixed(held, 2)}× hnswlib-node's (≤ 0.45: ${check(held <= 0.45)}); recall@10 ≥ 0.95 at ef ${a ?? 'none'} with QPS ${fixed(ratio, 2)}× hnswlib-node's at its own recall ≥ 0.95 (≥ 1.0: ${check(ratio >= 1)})`,
      );
    }
  }

  if (filtered.length > 0) {
    out();
    out(
      `#### Filtered search (${filteredQueries} queries, k=${K}; filter \`sel < x\` on a field independent of the vectors)`,
    );
    out();
    out(
      `| selectivity | ${FILTERED_EFS.map((ef) => `ragloom ef=${ef} recall / QPS`).join(' | ')} | ragloom path | ${FILTERED_EFS.map((ef) => `hnswlib-node filter ef=${ef} recall / QPS`).join(' | ')} | ragloom exact QPS | hnswlib-node brute force over the matches QPS | QPS ratio ragloom / hnswlib filter (each at its first ef ≥ 0.95) |`,
    );
    out(
      `|---|${FILTERED_EFS.map(() => '---:|').join('')}---|${FILTERED_EFS.map(() => '---:|').join('')}---:|---:|---:|`,
    );
    for (const f of filtered) {
      const a = f.ours.firstAtTarget(FILTERED_EFS);
      const b = f.theirs.firstAtTarget(FILTERED_EFS);
      const bestTheirs = b ?? FILTERED_EFS.at(-1)!;
      const ratio = a !== undefined ? f.ours.qps.get(a)! / f.theirs.qps.get(bestTheirs)! : Number.NaN;
      const paths = [...new Set([...f.ours.paths.values()].flatMap((p) => Object.keys(p)))].join(', ');
      out(
        `| ${f.filter.label} | ${FILTERED_EFS.map((ef) => `${fixed(f.ours.recall.get(ef)!, 3)} / ${fixed(f.ours.qps.get(ef)!, 0)}`).join(' | ')} | ${paths} | ${FILTERED_EFS.map((ef) => `${fixed(f.theirs.recall.get(ef)!, 3)} / ${fixed(f.theirs.qps.get(ef)!, 0)}`).join(' | ')} | ${fixed(f.oursExact.qps.get(K)!, 0)} (recall ${fixed(f.oursExact.recall.get(K)!, 3)}) | ${fixed(f.bruteForce.qps.get(K)!, 0)} (recall ${fixed(f.bruteForce.recall.get(K)!, 3)}) | ${a === undefined ? 'not reached' : `${fixed(ratio, 2)}${b === undefined ? ` (hnswlib-node below 0.95 at ef ${bestTheirs})` : ''}`} |`,
      );
    }
    const one = filtered.find((f) => f.filter.label === '1%');
    if (one) {
      const a = one.ours.firstAtTarget(FILTERED_EFS);
      const b = one.theirs.firstAtTarget(FILTERED_EFS) ?? FILTERED_EFS.at(-1)!;
      const recall = a === undefined ? Math.max(...one.ours.recall.values()) : one.ours.recall.get(a)!;
      const ratio = a === undefined ? Number.NaN : one.ours.qps.get(a)! / one.theirs.qps.get(b)!;
      out();
      out(
        `filtered target at 1%: recall ${fixed(recall, 3)} (≥ 0.95: ${check(recall >= 0.95)}), QPS ${fixed(ratio, 2)}× hnswlib-node's filter callback (≥ 1: ${check(ratio >= 1)})`,
      );
    }
  }
  out();
  out(
    `run took ${fixed((Date.now() - started) / 60000, 1)} min; peak memory fitted the machine (the run completed).`,
  );
  return lines;
}

const request: DatasetRequest = { dataset: mnist ? 'mnist' : 'synthetic', size, queryCount, dimension };
const sections = await run(request);
const header = `# hnsw bench ${new Date().toISOString()}${quick ? ' (--quick)' : ''}, ${rounds} round(s), node ${process.version}`;
console.log(`\n${header}\n\n${sections.join('\n')}`);
mkdirSync(dataDir, { recursive: true });
writeFileSync(
  join(dataDir, `hnsw-bench-${mnist ? 'mnist' : `${size}${dimension === 384 ? '' : `x${dimension}`}`}.md`),
  `${header}\n\n${sections.join('\n')}\n`,
);
