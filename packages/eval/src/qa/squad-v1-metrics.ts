import { RagloomError } from '@ragloom/core';
import { type Predictions, type QaExample, withPredictions } from './qa-types.js';
import { bestOverGolds, normalizeSquadAnswer, overlapF1, squadTokens } from './squad-metrics.js';

/**
 * SQuAD v1.1 `exact_match_score`: the normalised strings are equal. Unlike v2.0's scoring, a gold
 * that normalises to empty is kept, so an empty (or "the") prediction matches it.
 */
export function squadV1ExactMatch(gold: string, prediction: string): 0 | 1 {
  return normalizeSquadAnswer(prediction) === normalizeSquadAnswer(gold) ? 1 : 0;
}

/**
 * SQuAD v1.1 `f1_score`: bag-of-tokens overlap, and 0 whenever no token is shared — also when both
 * sides are empty (v2.0 scores that case 1).
 */
export function squadV1F1(gold: string, prediction: string): number {
  return overlapF1(squadTokens(gold), squadTokens(prediction));
}

/** `metric_max_over_ground_truths` for both v1.1 metrics: the best score over the gold answers. */
export function scoreSquadV1Prediction(
  answers: readonly string[],
  prediction: string,
): { exactMatch: 0 | 1; f1: number } {
  if (answers.length === 0) {
    // evaluate-v1.1.py calls max() on an empty list here and crashes.
    throw new RagloomError('INVALID_ARGUMENT', 'SQuAD v1.1 scoring needs at least one gold answer');
  }
  // Every gold is kept (v2.0 drops those that normalise to empty), with v1.1's own EM and F1.
  const { exact, f1 } = bestOverGolds(answers, prediction, squadV1ExactMatch, squadV1F1);
  return { exactMatch: exact, f1 };
}

export interface SquadV1QuestionScore {
  readonly exactMatch: 0 | 1;
  readonly f1: number;
  readonly missing: boolean;
}

export interface SquadV1Evaluation {
  /** Percentages (0-100) over every question, as the official script prints them. */
  readonly exactMatch: number;
  readonly f1: number;
  readonly total: number;
  readonly perQuestion: Readonly<Record<string, SquadV1QuestionScore>>;
  /** Question ids without a prediction; they score 0 (the official script says "will receive score 0"). */
  readonly missing: readonly string[];
}

/**
 * SQuAD v1.1 evaluation with the official `evaluate-v1.1.py` semantics: EM and F1 per question (max over
 * gold answers, every gold kept), unanswered questions counted in the total with score 0. Questions
 * without gold answers (SQuAD 2.0's unanswerable ones) are an INVALID_ARGUMENT error naming them, where
 * the official script would crash.
 */
export function evaluateSquadV1(
  examples: Iterable<Pick<QaExample, 'id' | 'answers'>>,
  predictions: Predictions,
): SquadV1Evaluation {
  const perQuestion = new Map<string, SquadV1QuestionScore>();
  const missing: string[] = [];
  const unanswerable: string[] = [];
  let exact = 0;
  let f1 = 0;
  for (const { example, prediction } of withPredictions(examples, predictions)) {
    if (example.answers.length === 0) {
      unanswerable.push(example.id);
      continue;
    }
    if (prediction === undefined) {
      missing.push(example.id);
      perQuestion.set(example.id, { exactMatch: 0, f1: 0, missing: true });
      continue;
    }
    const score = scoreSquadV1Prediction(example.answers, prediction);
    exact += score.exactMatch;
    f1 += score.f1;
    perQuestion.set(example.id, { ...score, missing: false });
  }
  if (unanswerable.length > 0) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `SQuAD v1.1 has no unanswerable questions, but ${unanswerable.length} question(s) have no gold answer, e.g. ${unanswerable
        .slice(0, 3)
        .map((id) => `"${id}"`)
        .join(', ')}; score SQuAD 2.0 data with evaluateSquadV2`,
      { details: { unanswerable } },
    );
  }
  const total = perQuestion.size;
  return {
    exactMatch: total === 0 ? 0 : (100.0 * exact) / total,
    f1: total === 0 ? 0 : (100.0 * f1) / total,
    total,
    perQuestion: Object.fromEntries(perQuestion),
    missing,
  };
}
