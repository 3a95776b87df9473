import { readFileSync } from 'node:fs';
import { isRagloomError } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadQaPredictions, loadSquadDataset } from '../src/datasets/squad-loader.js';
import type { QaExample } from '../src/qa/qa-types.js';
import { evaluateSquadV2, normalizeSquadAnswer } from '../src/qa/squad-metrics.js';
import { evaluateSquadV1, squadV1ExactMatch, squadV1F1 } from '../src/qa/squad-v1-metrics.js';

const reference = (name: string) => assetPath('eval-reference', 'squad', name);

describe('SQuAD v1.1 against the official evaluate-v1.1.py (reference run v1_shared)', () => {
  let examples: QaExample[];
  let predictions: Map<string, string>;
  const expected = JSON.parse(readFileSync(reference('squad_expected.json'), 'utf8')).v1_shared;
  const perQuestion: Record<string, { exact_match: number; f1: number; missing?: boolean }> = JSON.parse(
    readFileSync(reference('squad_v1_per_question.json'), 'utf8'),
  );

  beforeAll(async () => {
    examples = await loadSquadDataset(reference('squad_v1_dataset_answerable.json'));
    predictions = await loadQaPredictions(reference('squad_v1_predictions.json'));
  });

  it('reproduces exact_match and f1 to 1e-9, with the left-out predictions scored 0', () => {
    const result = evaluateSquadV1(examples, predictions);
    expect(result.total).toBe(expected.total_questions);
    expect(result.missing).toHaveLength(expected.missing_predictions);
    expect(result.exactMatch).toBeCloseTo(expected.output.exact_match, 9);
    expect(result.f1).toBeCloseTo(expected.output.f1, 9);
  });

  it('reproduces every per-question exact_match and f1', () => {
    const result = evaluateSquadV1(examples, predictions);
    expect(Object.keys(result.perQuestion).sort()).toEqual(Object.keys(perQuestion).sort());
    for (const [id, want] of Object.entries(perQuestion)) {
      const got = result.perQuestion[id]!;
      expect(got.exactMatch, `${id} exact_match`).toBe(want.exact_match);
      expect(Math.abs(got.f1 - want.f1), `${id} f1`).toBeLessThan(1e-12);
      expect(got.missing, `${id} missing`).toBe(want.missing === true);
    }
  });

  it('differs from the v2.0 rules exactly on the golds that normalise to empty', () => {
    const v1 = evaluateSquadV1(examples, predictions);
    const v2 = evaluateSquadV2(examples, predictions);
    const emptyGold = examples.filter((e) => e.answers.some((a) => normalizeSquadAnswer(a) === ''));
    expect(emptyGold.length).toBe(3);
    const differing = examples.filter(
      (e) =>
        !v1.perQuestion[e.id]!.missing && v1.perQuestion[e.id]!.exactMatch !== v2.perQuestion[e.id]!.exact,
    );
    expect(differing.length).toBeGreaterThan(0);
    for (const e of differing) expect(emptyGold.map((g) => g.id)).toContain(e.id);
  });
});

describe('SQuAD v1.1 rules, hand-computed', () => {
  it('keeps a gold that normalises to empty: EM 1 and F1 0 for an empty prediction', () => {
    expect(squadV1ExactMatch('.', '')).toBe(1);
    expect(squadV1ExactMatch('.', 'the')).toBe(1);
    expect(squadV1F1('.', '')).toBe(0);
    // gold [x, y, z], prediction [x, y, w, w]: P = 2/4, R = 2/3
    expect(squadV1F1('x y z', 'x y w w')).toBeCloseTo(4 / 7, 15);
  });

  it('refuses questions without gold answers, naming them', () => {
    let error: unknown;
    try {
      evaluateSquadV1(
        [
          { id: 'q1', answers: ['a'] },
          { id: 'q2', answers: [] },
        ],
        { q1: 'a', q2: '' },
      );
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('"q2"');
  });
});
