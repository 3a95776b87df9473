// @ragloom/retriever-hnsw side by side with hnswlib-node, in one run: MNIST 10k (L2) and a
// clustered synthetic 100k × 384 set (cosine). Each library builds in its own worker process
// (single thread); queries alternate between the two, round by round, so machine load hits both
// alike; the best round counts. Usage: node dist/run-bench.js [--quick] [--rounds N] [--only mnist|synthetic]
import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatasetRequest, RunnerMessage, Side, WorkerMessage } from './bench-protocol.js';
import { type Dataset, dataDir, loadDatasetFor, recallAtK } from './datasets.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (quick ? 1 : 3);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const M = 16;
const EF_CONSTRUCTION = 200;
const EFS = [10, 20, 40, 80, 160];
const K = 10;
const TARGET_RECALL = 0.95;
const SIDES: Side[] = ['ragloom', 'hnswlib-node'];

class Worker {
  private readonly child: ChildProcess;
  private pending: ((m: WorkerMessage) => void) | undefined;
  private readonly ready: Promise<void>;

  constructor(readonly side: Side) {
    this.child = fork(new URL('./bench-worker.js', import.meta.url), [], { execArgv: ['--expose-gc'] });
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
  build: Extract<WorkerMessage, { type: 'built' }>;
  persist: Extract<WorkerMessage, { type: 'persisted' }>;
  recall: Map<number, number>;
  qps: Map<number, number>;
  cpuQps: Map<number, number>;
}

const mb = (bytes: number) => bytes / (1 << 20);
const fixed = (x: number, digits: number) => x.toFixed(digits);
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
    for (const side of SIDES) {
      log(`building ${side} (M=${M}, efConstruction=${EF_CONSTRUCTION}) ...`);
      const build = await workers[side].ask(
        { type: 'build', side, data: request, M, efConstruction: EF_CONSTRUCTION },
        'built',
      );
      log(
        `  ${fixed(build.buildSeconds, 1)} s, RSS +${fixed(mb(build.rssAfterBytes - build.rssBeforeBytes), 0)} MB`,
      );
      results[side] = {
        build,
        persist: undefined as never,
        recall: new Map(),
        qps: new Map(),
        cpuQps: new Map(),
      };
    }
    for (const ef of EFS) {
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? SIDES : [...SIDES].reverse();
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
    for (const side of SIDES) {
      const file = join(dataDir, `index-${side}-${data.name}.bin`);
      results[side].persist = await workers[side].ask({ type: 'persist', file }, 'persisted');
      rmSync(file, { force: true });
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
  out('| | build s (1 thread) | build CPU s | RSS Δ MB | save s | load s | file MB | first-touch s |');
  out('|---|---:|---:|---:|---:|---:|---:|---:|');
  for (const side of SIDES) {
    const r = results[side];
    out(
      `| ${side}${side === 'ragloom' ? ` (${r.build.kernel})` : ''} | ${fixed(r.build.buildSeconds, 1)} | ${fixed(r.build.buildCpuSeconds, 1)} | ${fixed(mb(r.build.rssAfterBytes - r.build.rssBeforeBytes), 0)} | ${fixed(r.persist.saveSeconds, 2)} | ${fixed(r.persist.loadSeconds, 2)} | ${fixed(mb(r.persist.fileBytes), 0)} | ${fixed(r.persist.touchSeconds, 2)} |`,
    );
  }
  const buildRatio = ours.build.buildSeconds / theirs.build.buildSeconds;
  const buildCpuRatio = ours.build.buildCpuSeconds / theirs.build.buildCpuSeconds;
  const rssRatio =
    (ours.build.rssAfterBytes - ours.build.rssBeforeBytes) /
    (theirs.build.rssAfterBytes - theirs.build.rssBeforeBytes);
  out(
    `| ratio ragloom / hnswlib-node | ${fixed(buildRatio, 2)} | ${fixed(buildCpuRatio, 2)} | ${fixed(rssRatio, 2)} | | | |`,
  );
  out();
  out(
    `| ef | recall@10 ragloom | recall@10 hnswlib-node | Δ | QPS ragloom | QPS hnswlib-node | QPS ratio | CPU-time QPS ratio |`,
  );
  out('|---:|---:|---:|---:|---:|---:|---:|---:|');
  let worstDelta = 0;
  for (const ef of EFS) {
    const ro = ours.recall.get(ef)!;
    const rt = theirs.recall.get(ef)!;
    worstDelta = Math.max(worstDelta, Math.abs(ro - rt));
    out(
      `| ${ef} | ${fixed(ro, 4)} | ${fixed(rt, 4)} | ${fixed(ro - rt, 4)} | ${fixed(ours.qps.get(ef)!, 0)} | ${fixed(theirs.qps.get(ef)!, 0)} | ${fixed(ours.qps.get(ef)! / theirs.qps.get(ef)!, 2)} | ${fixed(ours.cpuQps.get(ef)! / theirs.cpuQps.get(ef)!, 2)} |`,
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
  const check = (ok: boolean) => (ok ? 'met' : 'NOT met');
  out(
    `targets: recall within 0.01 (worst |Δ| ${fixed(worstDelta, 4)}) ${check(worstDelta <= 0.01)}; QPS ratio ≥ 0.5 ${check(qpsRatio >= 0.5)} (goal 1.0 ${check(qpsRatio >= 1)}); build ≤ 2× ${check(buildRatio <= 2)}; RSS ≤ 1.5× ${check(rssRatio <= 1.5)}; persisted index answers identically: ${ours.persist.sameAnswers}`,
  );
  return lines;
}

const datasets: DatasetRequest[] = (['mnist', 'synthetic'] as const)
  .filter((d) => only === undefined || only === d)
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
