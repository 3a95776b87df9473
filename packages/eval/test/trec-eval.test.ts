import { readFileSync } from 'node:fs';
import { isRagloomError } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { parseMeasure, trecMeasureName } from '../src/retrieval/retrieval-measures.js';
import { evaluateRun } from '../src/retrieval/trec-eval.js';
import { formatTrecRun, parseTrecRun, readTrecQrels, readTrecRun } from '../src/retrieval/trec-files.js';

const trec = (name: string) => assetPath('eval-reference', 'trec', name);
type Expected = Record<string, Record<string, { all: number; perQuery: Record<string, number> }>>;
const printed: Expected = JSON.parse(readFileSync(trec('trec_eval_expected.json'), 'utf8'));
const fullPrecision: Expected = JSON.parse(readFileSync(trec('trec_eval_expected_fullprec.json'), 'utf8'));
const configs: Record<string, { qrels: string; run: string; options: string }> = JSON.parse(
  readFileSync(trec('trec_eval_configs.json'), 'utf8'),
);
// trec_eval measure name → ours.
const MEASURES: Record<string, string> = {
  ndcg_cut_1: 'ndcg@1',
  ndcg_cut_3: 'ndcg@3',
  ndcg_cut_5: 'ndcg@5',
  ndcg_cut_10: 'ndcg@10',
  ndcg_cut_100: 'ndcg@100',
  recall_5: 'recall@5',
  recall_10: 'recall@10',
  recall_100: 'recall@100',
  P_5: 'P@5',
  P_10: 'P@10',
  recip_rank: 'recip_rank',
  map_cut_10: 'map_cut.10',
  map_cut_100: 'map_cut.100',
  success_1: 'success@1',
  success_5: 'success@5',
  success_10: 'success@10',
};

describe('retrieval metrics against values trec_eval printed', () => {
  for (const [config, { qrels, run, options }] of Object.entries(configs)) {
    it(`${config} (trec_eval ${options || 'default'}): every measure, per query and aggregate`, async () => {
      const result = evaluateRun(await readTrecQrels(trec(qrels)), await readTrecRun(trec(run)), {
        measures: Object.values(MEASURES),
        averageOverQrels: options.includes('-c'),
        relevanceLevel: options.includes('-l 2') ? 2 : 1,
      });
      let compared = 0;
      for (const [trecName, ours] of Object.entries(MEASURES)) {
        const key = result.measures[Object.keys(MEASURES).indexOf(trecName)]!;
        expect(trecMeasureName(ours) ?? 'recip_rank').toBe(trecName);
        const want = printed[config]![trecName]!;
        const exact = fullPrecision[config]![trecName]!;
        expect(Math.abs(result.aggregate[key]! - want.all), `${trecName} all`).toBeLessThanOrEqual(
          5e-5 + 1e-12,
        );
        expect(Math.abs(result.aggregate[key]! - exact.all), `${trecName} all (full)`).toBeLessThan(1e-9);
        expect(Object.keys(result.perQuery).sort()).toEqual(Object.keys(want.perQuery).sort());
        for (const [queryId, value] of Object.entries(exact.perQuery)) {
          const got = result.perQuery[queryId]![key]!;
          expect(Math.abs(got - value), `${trecName} ${queryId} (full)`).toBeLessThan(1e-9);
          expect(Math.abs(got - want.perQuery[queryId]!), `${trecName} ${queryId}`).toBeLessThanOrEqual(
            5e-5 + 1e-12,
          );
          compared++;
        }
      }
      expect(compared).toBe(Object.keys(MEASURES).length * result.evaluatedQueries);
    });
  }

  it('reports the queries it skipped or ignored', async () => {
    const meta = JSON.parse(readFileSync(trec('scifact_run_meta.json'), 'utf8'));
    const qrels = await readTrecQrels(trec('scifact.qrels'));
    const run = await readTrecRun(trec('scifact_missing_unjudged.run'));
    const result = evaluateRun(qrels, run, { measures: ['ndcg@10'] });
    expect([...result.missingFromRun].sort()).toEqual([...meta.missing_from_run_c].sort());
    expect([...result.notInQrels].sort()).toEqual([...meta.extra_run_c_queries_not_in_test_qrels].sort());
    expect(result.evaluatedQueries).toBe(270);
  });
});

describe('retrieval metrics, hand-computed', () => {
  const qrels = { q: { a: 2, b: 1, c: 0, z: 1 } };

  it('computes nDCG with grade gains, log2 discount and an ideal that includes unretrieved docs', () => {
    // ranking: c (0), a (2), x (unjudged), b (1); z (1) never retrieved
    const run = { q: { c: 4, a: 3, x: 2, b: 1 } };
    const r = evaluateRun(qrels, run, {
      measures: ['ndcg@3', 'ndcg', 'P@5', 'recall@2', 'mrr', 'map', 'hit@1'],
    });
    const dcg3 = 2 / Math.log2(3);
    const idcg3 = 2 + 1 / Math.log2(3) + 1 / Math.log2(4);
    expect(r.aggregate['ndcg@3']).toBeCloseTo(dcg3 / idcg3, 12);
    const dcg = 2 / Math.log2(3) + 1 / Math.log2(5);
    expect(r.aggregate.ndcg).toBeCloseTo(dcg / idcg3, 12); // ideal over all 3 relevant docs
    expect(r.aggregate['P@5']).toBeUndefined();
    expect(r.aggregate['precision@5']).toBeCloseTo(2 / 5, 12); // divided by 5 though only 4 were retrieved
    expect(r.aggregate['recall@2']).toBeCloseTo(1 / 3, 12);
    expect(r.aggregate.mrr).toBeCloseTo(1 / 2, 12);
    expect(r.aggregate.map).toBeCloseTo((1 / 2 + 2 / 4) / 3, 12);
    expect(r.aggregate['hit@1']).toBe(0);
  });

  it('breaks score ties by document id descending, like trec_eval, unless asked to keep input order', () => {
    const run = {
      q: [
        { id: 'a', score: 1 },
        { id: 'c', score: 1 },
      ],
    };
    expect(evaluateRun(qrels, run, { measures: ['mrr'] }).aggregate.mrr).toBe(1 / 2); // c ranks first
    expect(evaluateRun(qrels, run, { measures: ['mrr'], ties: 'input' }).aggregate.mrr).toBe(1);
  });

  it('counts grade >= relevanceLevel as relevant for binary measures but keeps nDCG gains', () => {
    const run = { q: { b: 2, a: 1 } };
    const l2 = evaluateRun(qrels, run, { measures: ['mrr', 'recall@10', 'ndcg@10'], relevanceLevel: 2 });
    const l1 = evaluateRun(qrels, run, { measures: ['ndcg@10'] });
    expect(l2.aggregate.mrr).toBe(1 / 2);
    expect(l2.aggregate['recall@10']).toBe(1); // only a is relevant at level 2
    expect(l2.aggregate['ndcg@10']).toBe(l1.aggregate['ndcg@10']);
  });

  it('scores a query with only non-relevant judgments 0 and averages it in', () => {
    const r = evaluateRun(
      { q1: { a: 1 }, q2: { b: 0 } },
      { q1: { a: 1 }, q2: { b: 1 } },
      { measures: ['ndcg@10'] },
    );
    expect(r.perQuery['q2']).toEqual({ 'ndcg@10': 0 });
    expect(r.aggregate['ndcg@10']).toBe(0.5);
  });

  it('rejects bad input with INVALID_ARGUMENT naming the problem', () => {
    const attempt = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isRagloomError(e, 'INVALID_ARGUMENT') ? (e as Error).message : `wrong error ${String(e)}`;
      }
      return 'no error';
    };
    expect(
      attempt(() =>
        evaluateRun(qrels, {
          q: [
            { id: 'a', score: 1 },
            { id: 'a', score: 2 },
          ],
        }),
      ),
    ).toContain('twice');
    expect(attempt(() => evaluateRun({ q: { a: 1.5 } }, {}))).toContain('integer grade');
    expect(attempt(() => evaluateRun(qrels, { q: { a: Number.NaN } }))).toContain('numeric score');
    expect(attempt(() => parseMeasure('ndgc@10'))).toContain('unknown measure');
    expect(attempt(() => parseMeasure('recall'))).toContain('needs a cutoff');
    expect(attempt(() => parseTrecRun('q Q0 d 1 abc tag', 'x.run'))).toContain('x.run:1');
  });

  it('returns plain, JSON-ready objects, safe for any query id', () => {
    const odd = JSON.parse('{"__proto__": {"a": 1}, "constructor": {"a": 1}}');
    const r = evaluateRun(odd, { __proto__: null, constructor: { a: 1 } } as never, { measures: ['hit@1'] });
    expect(r.evaluatedQueries).toBe(1); // "__proto__" has no run, "constructor" is found
    expect(JSON.parse(JSON.stringify(r)).perQuery).toEqual({ constructor: { 'hit@1': 1 } });
    expect(r.missingFromRun).toEqual(['__proto__']);
  });

  it('round-trips a run through TREC text', () => {
    const run = new Map([
      [
        'q1',
        [
          { id: 'd2', score: 0.5 },
          { id: 'd1', score: 0.5 },
          { id: 'd3', score: 0.9 },
        ],
      ],
    ]);
    const text = formatTrecRun(run, 'mine');
    expect(text).toBe('q1 Q0 d3 1 0.9 mine\nq1 Q0 d2 2 0.5 mine\nq1 Q0 d1 3 0.5 mine\n');
    expect(parseTrecRun(text).get('q1')).toEqual([
      { id: 'd3', score: 0.9 },
      { id: 'd2', score: 0.5 },
      { id: 'd1', score: 0.5 },
    ]);
  });
});
