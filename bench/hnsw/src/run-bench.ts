// @ragloom/retriever-hnsw side by side with hnswlib-node, in one run: MNIST 10k (L2) and a
// clustered synthetic 100k × 384 set (cosine). Each library runs in its own worker process
// (single thread); builds advance in steps and queries in rounds, the sides taking turns, so that
// machine load hits all alike; for queries the best round counts. Usage: node dist/run-bench.js [--quick] [--rounds N] [--only mnist|synthetic] [--no-js]
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchArgs, fixed } from '@ragloom/bench-utils';
import type { DatasetRequest, RunnerMessage, Side, WorkerMessage } from './bench-protocol.js';
import { type Dataset, dataDir, loadDatasetFor, recallAtK } from './datasets.js';

const args = benchArgs();
const quick = args.flag('quick');
const rounds = args.number('rounds', quick ? 1 : 3);
const only = args.string('only', 'all');
// The pure-JS kernel runs too (to show what the wasm kernel buys) unless --no-js.
const withJs = !args.flag('no-js');
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160];
const K = 10;
const TARGET_RECALL = 0.95;
const SIDES: Side[] = withJs ? ['ragloom', 'hnswlib-node', 'ragloom-js'] : ['ragloom', 'hnswlib-node'];
/** The two that are compared (and saved/loaded); ragloom-js is reported beside them. */
const MAIN: Side[] = ['ragloom', 'hnswlib-node'];

/**
 * gc() for settled RSS readings. V8 otherwise resizes its heap on its own schedule (the memory
 * reducer shrinks it after a few idle seconds, which a worker waiting for its turn gets; the young
 * generation grows and shrinks with allocation): both would show up as RSS swings of tens of MB
 * between the baseline and the end of a build. So the young generation is fixed at 16 MB (V8's
 * default maximum) and the memory reducer is off, in every worker alike.
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

interface SideResult {
  build: Extract<WorkerMessage, { type: 'built' }> & {
    kernel: string;
    buildSeconds: number;
    buildCpuSeconds: number;
  };
  persist: Extract<WorkerMessage, { type: 'persisted' }> | undefined;
  recall: Map<number, number>;
  qps: Map<number, number>;
  cpuQps: Map<number, number>;
  /** RSS released when the index is dropped at the end: what the index itself holds. */
  heldBytes?: number;
}

const mb = (bytes: number) => bytes / (1 << 20);
const log = (line: string) => console.log(line);

async function benchDataset(
  request: DatasetRequest,
): Promise<{ data: Dataset; results: Record<Side, SideResult> }> {
  const data = loadDatasetFor(request, log);
  log(
    `\n## ${data.name}: ${data.baseCount} × ${data.dimension} (${data.metric}), ${data.queryCount} queries`,
  );
  const workers = Object.fromEntries(SIDES.map((side) => [side, new Worker(side)])) as Record<Side, Worker>;
  const results = {} as Record<Side, SideResult>;
  try {
    // Builds advance in steps, the sides taking turns (alternating order), so that changes in
    // machine load fall on all of them; each side's build time is the sum of its steps.
    const kernels = {} as Record<Side, string>;
    let baseCount = 0;
    for (const side of SIDES) {
      const prepared = await workers[side].ask(
        { type: 'prepare', side, data: request, M, efConstruction: EF_CONSTRUCTION },
        'prepared',
      );
      kernels[side] = prepared.kernel;
      baseCount = prepared.baseCount;
    }
    const steps = 10;
    const time = Object.fromEntries(SIDES.map((side) => [side, { wall: 0, cpu: 0 }])) as Record<
      Side,
      { wall: number; cpu: number }
    >;
    log(`building (M=${M}, efConstruction=${EF_CONSTRUCTION}) in ${steps} alternating steps ...`);
    for (let step = 0; step < steps; step++) {
      const from = Math.floor((step * baseCount) / steps);
      const to = Math.floor(((step + 1) * baseCount) / steps);
      for (const side of step % 2 === 0 ? SIDES : [...SIDES].reverse()) {
        const reply = await workers[side].ask({ type: 'insert', from, to }, 'inserted');
        time[side].wall += reply.wallSeconds;
        time[side].cpu += reply.cpuSeconds;
      }
    }
    for (const side of SIDES) {
      const built = await workers[side].ask({ type: 'finish-build' }, 'built');
      const build = {
        ...built,
        kernel: kernels[side],
        buildSeconds: time[side].wall,
        buildCpuSeconds: time[side].cpu,
      };
      log(
        `  ${side}: ${fixed(build.buildSeconds, 1)} s, RSS +${fixed(mb(build.rssAfterBytes - build.rssBeforeBytes), 0)} MB`,
      );
      results[side] = { build, persist: undefined, recall: new Map(), qps: new Map(), cpuQps: new Map() };
    }
    // One unmeasured pass each first: JIT warm-up, page cache, lazily touched memory.
    for (const side of SIDES) await workers[side].ask({ type: 'query', ef: EFS[0]!, k: K }, 'queried');
    for (const ef of EFS) {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
        // (ragloom-js alternates too, so it sees the same load as the other two.)
        for (const side of order) {
          const reply = await workers[side].ask({ type: 'query', ef, k: K }, 'queried');
          const r = results[side];
          r.recall.set(ef, recallAtK(data, Int32Array.from(reply.neighbors), K));
          r.qps.set(ef, Math.max(r.qps.get(ef) ?? 0, data.queryCount / reply.wallSeconds));
          r.cpuQps.set(ef, Math.max(r.cpuQps.get(ef) ?? 0, data.queryCount / reply.cpuSeconds));
        }
      }
      log(`  ef=${ef} done`);
    }
    mkdirSync(dataDir, { recursive: true });
    for (const side of MAIN) {
      const file = join(dataDir, `index-${side}-${data.name}.bin`);
      results[side].persist = await workers[side].ask({ type: 'persist', file }, 'persisted');
      rmSync(file, { force: true });
    }
    for (const side of SIDES) {
      const dropped = await workers[side].ask({ type: 'drop' }, 'dropped');
      results[side].heldBytes = dropped.rssBeforeBytes - dropped.rssAfterBytes;
    }
  } finally {
    for (const w of Object.values(workers)) w.stop();
  }
  return { data, results };
}

function report(data: Dataset, results: Record<Side, SideResult>): string[] {
  const ours = results.ragloom;
  const theirs = results['hnswlib-node'];
  const lines: string[] = [];
  const out = (line = '') => lines.push(line);
  out(
    `### ${data.name}: ${data.baseCount} × ${data.dimension}, ${data.metric}, ${data.queryCount} queries, M=${M}, efConstruction=${EF_CONSTRUCTION}, k=${K}`,
  );
  out();
  out(
    '| | build s (1 thread) | build CPU s | RSS Δ build MB | RSS held MB | save s | load s | file MB | first-touch s |',
  );
  out('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const side of SIDES) {
    const r = results[side];
    const p = r.persist;
    const persisted = p
      ? `${fixed(p.saveSeconds, 2)} | ${fixed(p.loadSeconds, 2)} | ${fixed(mb(p.fileBytes), 0)} | ${fixed(p.touchSeconds, 2)}`
      : ' | | | ';
    out(
      `| ${side === 'hnswlib-node' ? side : `ragloom (${r.build.kernel})`} | ${fixed(r.build.buildSeconds, 1)} | ${fixed(r.build.buildCpuSeconds, 1)} | ${fixed(mb(r.build.rssAfterBytes - r.build.rssBeforeBytes), 0)} | ${fixed(mb(r.heldBytes ?? 0), 0)} | ${persisted} |`,
    );
  }
  const buildRatio = ours.build.buildSeconds / theirs.build.buildSeconds;
  const buildCpuRatio = ours.build.buildCpuSeconds / theirs.build.buildCpuSeconds;
  const heldRatio = (ours.heldBytes ?? 0) / (theirs.heldBytes ?? 1);
  const rssRatio =
    (ours.build.rssAfterBytes - ours.build.rssBeforeBytes) /
    (theirs.build.rssAfterBytes - theirs.build.rssBeforeBytes);
  const loadRatio = ours.persist!.loadSeconds / theirs.persist!.loadSeconds;
  out(
    `| ratio ragloom (wasm-simd) / hnswlib-node | ${fixed(buildRatio, 2)} | ${fixed(buildCpuRatio, 2)} | ${fixed(rssRatio, 2)} | ${fixed(heldRatio, 2)} | | ${fixed(loadRatio, 2)} | | |`,
  );
  out();
  out(
    'RSS Δ build: settled RSS after the build minus before it; RSS held: RSS released when the index is dropped at the end (steadier: the build delta also moves with V8 heap resizing). save: ragloom writes a temp file, fsyncs and renames (atomic); load: ragloom verifies every checksum and the graph. first-touch: allocating and writing a buffer of the file size once, the floor any load pays on this machine.',
  );
  out();
  const js = results['ragloom-js'] as SideResult | undefined;
  out(
    `| ef | recall@10 ragloom | recall@10 hnswlib-node | Δ | QPS ragloom | QPS hnswlib-node | QPS ratio | CPU-time QPS ratio |${js ? ' recall@10 ragloom (js) | QPS ragloom (js) |' : ''}`,
  );
  out(`|---:|---:|---:|---:|---:|---:|---:|---:|${js ? '---:|---:|' : ''}`);
  let worstDelta = 0;
  for (const ef of EFS) {
    const ro = ours.recall.get(ef)!;
    const rt = theirs.recall.get(ef)!;
    worstDelta = Math.max(worstDelta, Math.abs(ro - rt));
    out(
      `| ${ef} | ${fixed(ro, 4)} | ${fixed(rt, 4)} | ${fixed(ro - rt, 4)} | ${fixed(ours.qps.get(ef)!, 0)} | ${fixed(theirs.qps.get(ef)!, 0)} | ${fixed(ours.qps.get(ef)! / theirs.qps.get(ef)!, 2)} | ${fixed(ours.cpuQps.get(ef)! / theirs.cpuQps.get(ef)!, 2)} |${js ? ` ${fixed(js.recall.get(ef)!, 4)} | ${fixed(js.qps.get(ef)!, 0)} |` : ''}`,
    );
  }
  const firstEf = (r: SideResult) => EFS.find((ef) => r.recall.get(ef)! >= TARGET_RECALL);
  const efOurs = firstEf(ours);
  const efTheirs = firstEf(theirs);
  out();
  let qpsRatio = Number.NaN;
  if (efOurs !== undefined && efTheirs !== undefined) {
    qpsRatio = ours.qps.get(efOurs)! / theirs.qps.get(efTheirs)!;
    const cpuRatio = ours.cpuQps.get(efOurs)! / theirs.cpuQps.get(efTheirs)!;
    out(
      `QPS ratio at recall@10 ≥ ${TARGET_RECALL}: ragloom ef=${efOurs} (${fixed(ours.qps.get(efOurs)!, 0)} QPS) / hnswlib-node ef=${efTheirs} (${fixed(theirs.qps.get(efTheirs)!, 0)} QPS) = **${fixed(qpsRatio, 2)}** (CPU-time: ${fixed(cpuRatio, 2)})`,
    );
  } else {
    out(
      `recall@10 ≥ ${TARGET_RECALL} not reached by ${efOurs === undefined ? 'ragloom' : 'hnswlib-node'} at ef ≤ ${EFS.at(-1)}`,
    );
  }
  if (js) {
    const efJs = firstEf(js);
    const speedup =
      efOurs !== undefined && efJs !== undefined ? ours.qps.get(efOurs)! / js.qps.get(efJs)! : Number.NaN;
    out(
      `WebAssembly SIMD kernel vs pure JS: QPS ×${fixed(speedup, 2)} at recall@10 ≥ ${TARGET_RECALL} (ef ${efOurs} / ${efJs}), build ×${fixed(js.build.buildSeconds / ours.build.buildSeconds, 2)} faster; worst recall difference ${fixed(Math.max(...EFS.map((ef) => Math.abs(js.recall.get(ef)! - ours.recall.get(ef)!))), 4)}`,
    );
  }
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  out(
    `targets: recall within 0.01 (worst |Δ| ${fixed(worstDelta, 4)}) ${check(worstDelta <= 0.01)}; QPS ratio ≥ 0.5 ${check(qpsRatio >= 0.5)} (goal 1.0 ${check(qpsRatio >= 1)}); build ≤ 2× ${check(buildRatio <= 2)}; RSS ≤ 1.5× (held) ${check(heldRatio <= 1.5)} (build Δ ${check(rssRatio <= 1.5)}); persisted index answers identically: ${ours.persist?.sameAnswers}`,
  );
  return lines;
}

const datasets: DatasetRequest[] = (['mnist', 'synthetic'] as const)
  .filter((d) => only === 'all' || only === d)
  .map((dataset) => ({ dataset, quick }));
const sections: string[] = [];
for (const request of datasets) {
  const { data, results } = await benchDataset(request);
  sections.push(...report(data, results), '');
}
const header = `# hnsw bench ${new Date().toISOString()}${quick ? ' (--quick)' : ''}, ${rounds} round(s), node ${process.version}`;
console.log(`\n${header}\n\n${sections.join('\n')}`);
mkdirSync(dataDir, { recursive: true });
writeFileSync(
  join(dataDir, `hnsw-bench${quick ? '-quick' : ''}.md`),
  `${header}\n\n${sections.join('\n')}\n`,
);
