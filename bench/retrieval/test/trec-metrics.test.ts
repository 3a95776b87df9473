import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  meanOverQueries,
  ndcgAt,
  type Qrels,
  type RankedDocument,
  type Run,
  recallAt,
  reciprocalRankAt,
} from '../src/trec-metrics.js';

// trec_eval's own output for these runs (shared assets, eval-reference/trec): the metrics must agree.
const reference = (name: string) => assetPath('eval-reference', 'trec', name);
const expected = JSON.parse(readFileSync(reference('trec_eval_expected_fullprec.json'), 'utf8')) as Record<
  string,
  Record<string, { all: number; perQuery: Record<string, number> }>
>;

function readQrels(file: string): Qrels {
  const qrels = new Map<string, Map<string, number>>();
  for (const line of readFileSync(reference(file), 'utf8').split('\n')) {
    const [q, , d, g] = line.trim().split(/\s+/);
    if (!q || !d) continue;
    if (!qrels.has(q)) qrels.set(q, new Map());
    qrels.get(q)!.set(d, Number(g));
  }
  return qrels;
}

function readRun(file: string): Run {
  const run = new Map<string, RankedDocument[]>();
  for (const line of readFileSync(reference(file), 'utf8').split('\n')) {
    const [q, , d, , s] = line.trim().split(/\s+/);
    if (!q || !d) continue;
    if (!run.has(q)) run.set(q, []);
    run.get(q)!.push({ id: d, score: Number(s) });
  }
  // Shuffle-proof: trec_eval ignores file order and ranks, so do we.
  for (const docs of run.values()) docs.reverse();
  return run;
}

describe.each([
  ['scifact_bm25', 'scifact.qrels', 'scifact_bm25.run'],
  ['small', 'small.qrels', 'small.run'],
])('trec_eval conventions on %s', (config, qrelsFile, runFile) => {
  const qrels = readQrels(qrelsFile);
  const run = readRun(runFile);
  const values = expected[config]!;
  const cases: [string, (r: readonly RankedDocument[], j: ReadonlyMap<string, number>) => number][] = [
    ['ndcg_cut_1', (r, j) => ndcgAt(r, j, 1)],
    ['ndcg_cut_5', (r, j) => ndcgAt(r, j, 5)],
    ['ndcg_cut_10', (r, j) => ndcgAt(r, j, 10)],
    ['ndcg_cut_100', (r, j) => ndcgAt(r, j, 100)],
    ['recall_5', (r, j) => recallAt(r, j, 5)],
    ['recall_100', (r, j) => recallAt(r, j, 100)],
    ['recip_rank', (r, j) => reciprocalRankAt(r, j, Number.POSITIVE_INFINITY)],
  ];
  it.each(cases)('%s equals trec_eval, per query and mean', (measure, metric) => {
    const want = values[measure]!;
    for (const [queryId, value] of Object.entries(want.perQuery)) {
      expect(metric(run.get(queryId) ?? [], qrels.get(queryId)!), `${measure} ${queryId}`).toBeCloseTo(
        value,
        10,
      );
    }
    expect(meanOverQueries(run, qrels, metric)).toBeCloseTo(want.all, 10);
  });
});
