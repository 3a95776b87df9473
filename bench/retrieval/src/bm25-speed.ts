import { fixed, median, printTable } from '@ragloom/bench-utils';
import type { Bm25Engine, EngineDataset, EngineRun, EngineSettings } from './bm25-engines.js';
import { scoreRun } from './retrieval-run.js';

export interface Bm25SpeedOptions {
  readonly engines: readonly Bm25Engine[];
  readonly repetitions: number;
  readonly settings: EngineSettings;
  /** Printed under the table (e.g. why an engine is missing). */
  readonly notes?: readonly string[];
}

interface Summary {
  readonly docsPerSecond: number;
  readonly firstPassQueriesPerSecond: number;
  readonly queriesPerSecond: number;
  readonly ndcg10: number;
}

function summarize(dataset: EngineDataset, runs: readonly EngineRun[]): Summary {
  const docs = dataset.data.corpus.length;
  const queries = dataset.data.queries.size;
  const perSecond = (count: number, ms: number) => count / (ms / 1000);
  return {
    docsPerSecond: median(runs.map((r) => perSecond(docs, r.indexMs))),
    firstPassQueriesPerSecond: median(runs.map((r) => perSecond(queries, r.passMs[0]!))),
    // Passes after the first: what a long-running process sees.
    queriesPerSecond: median(
      runs.flatMap((r) =>
        (r.passMs.length > 1 ? r.passMs.slice(1) : r.passMs).map((ms) => perSecond(queries, ms)),
      ),
    ),
    ndcg10: scoreRun(dataset.data, runs.at(-1)!.run).ndcg10,
  };
}

const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;

/**
 * BM25 engines side by side on one data set: each repetition runs every engine once, in turn (so all
 * see the same machine load), indexing the corpus (title + text, one field, the same k1/b) and then
 * making `passes` passes over the queries (top k). Medians over repetitions; the first query pass is
 * shown apart from the later ones. nDCG@10 is computed by @ragloom/eval from each engine's own ranking.
 * The first engine is ragloom; each other row gets ratios ragloom ÷ engine (> 1: ragloom is faster).
 */
export async function runBm25Speed(dataset: EngineDataset, options: Bm25SpeedOptions): Promise<Summary[]> {
  const { engines, repetitions, settings } = options;
  const runs: EngineRun[][] = engines.map(() => []);
  for (let r = 0; r < repetitions; r++) {
    for (const [i, engine] of engines.entries()) {
      process.stderr.write(`  ${dataset.name}: repetition ${r + 1}/${repetitions}, ${engine.name}\n`);
      runs[i]!.push(await engine.measure(dataset, settings));
    }
  }
  const summaries = engines.map((_, i) => summarize(dataset, runs[i]!));
  const ours = summaries[0]!;
  const { data } = dataset;
  printTable(
    `BM25 engines on ${dataset.name}: ${data.corpus.length} docs indexed, ${data.queries.size} queries x ${settings.passes} passes ` +
      `(top ${settings.k}, k1 ${settings.k1} b ${settings.b}); median of ${repetitions} repetitions, engines in turn`,
    [
      'engine',
      'analysis',
      'index docs/s',
      'queries/s',
      'first pass q/s',
      'nDCG@10',
      'ragloom ÷ it: index',
      'queries',
    ],
    engines.map((engine, i) => {
      const s = summaries[i]!;
      return [
        engine.name,
        engine.analysis(dataset.language),
        s.docsPerSecond.toFixed(0),
        s.queriesPerSecond.toFixed(0),
        s.firstPassQueriesPerSecond.toFixed(0),
        fixed(s.ndcg10),
        i === 0 ? '' : ratio(ours.docsPerSecond, s.docsPerSecond),
        i === 0 ? '' : ratio(ours.queriesPerSecond, s.queriesPerSecond),
      ];
    }),
  );
  for (const note of options.notes ?? []) console.log(note);
  return summaries;
}
