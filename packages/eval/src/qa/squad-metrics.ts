import { RagloomError } from '@ragloom/core';
import { PY_PUNCTUATION, PY_W, pyLower, pySplit } from '../util/python-text.js';
import { type Predictions, predictionFor, type QaExample, withPredictions } from './qa-types.js';

export type { Predictions } from './qa-types.js';

// `re.sub(r'\b(a|an|the)\b', ' ', text)` with Python's Unicode word boundaries.
const ARTICLES = new RegExp(`(?<!${PY_W})(a|an|the)(?!${PY_W})`, 'gu');

function removePunctuation(text: string): string {
  let out = '';
  for (const char of text) if (!PY_PUNCTUATION.has(char)) out += char;
  return out;
}

/**
 * The answer normalisation of the official SQuAD scripts (v1.1 and v2.0): lowercase, drop ASCII
 * punctuation (`string.punctuation` only, so curly quotes stay), drop the words a/an/the, and
 * collapse whitespace (Python's Unicode whitespace set, so a non-breaking space separates words).
 */
export function normalizeSquadAnswer(text: string): string {
  const noPunctuation = removePunctuation(pyLower(text));
  return pySplit(noPunctuation.replace(ARTICLES, ' ')).join(' ');
}

/** The tokens SQuAD's F1 counts: the normalised answer split on whitespace ('' has none). */
export function squadTokens(text: string): string[] {
  if (!text) return [];
  return pySplit(normalizeSquadAnswer(text));
}

/** 1 when the normalised strings are equal, else 0 (SQuAD `compute_exact`). */
export function squadExactMatch(gold: string, prediction: string): 0 | 1 {
  return normalizeSquadAnswer(gold) === normalizeSquadAnswer(prediction) ? 1 : 0;
}

/**
 * Token-level F1 of SQuAD (`compute_f1`): bag-of-tokens overlap. When either side has no tokens
 * (a no-answer), F1 is 1 if both are empty, else 0.
 */
export function squadF1(gold: string, prediction: string): number {
  const goldTokens = squadTokens(gold);
  const predictionTokens = squadTokens(prediction);
  if (goldTokens.length === 0 || predictionTokens.length === 0) {
    return goldTokens.length === predictionTokens.length ? 1 : 0;
  }
  return overlapF1(goldTokens, predictionTokens);
}

/**
 * The F1 of two bags of tokens (`Counter(a) & Counter(b)` in the official scripts), 0 when they share
 * none. SQuAD v1.1 and v2.0 differ only in what they do before it with empty answers.
 */
export function overlapF1(goldTokens: readonly string[], predictionTokens: readonly string[]): number {
  const goldCounts = new Map<string, number>();
  for (const t of goldTokens) goldCounts.set(t, (goldCounts.get(t) ?? 0) + 1);
  let same = 0;
  for (const t of predictionTokens) {
    const left = goldCounts.get(t) ?? 0;
    if (left > 0) {
      same++;
      goldCounts.set(t, left - 1);
    }
  }
  if (same === 0) return 0;
  const precision = (1.0 * same) / predictionTokens.length;
  const recall = (1.0 * same) / goldTokens.length;
  return (2 * precision * recall) / (precision + recall);
}

/**
 * The gold answers a SQuAD v2 question is scored against: those that do not normalise to the empty
 * string, or `['']` (no answer) when none is left. A question whose only gold answer is "." is
 * therefore scored as unanswerable, exactly as the official script does.
 */
export function squadScoringAnswers(answers: readonly string[]): string[] {
  const kept = answers.filter((a) => normalizeSquadAnswer(a) !== '');
  return kept.length > 0 ? kept : [''];
}

/**
 * `metric_max_over_ground_truths` for EM and F1 together: the best of each over `golds`. The SQuAD versions
 * differ in the metrics and in which golds they keep, not in this.
 */
export function bestOverGolds(
  golds: readonly string[],
  prediction: string,
  exactMatch: (gold: string, prediction: string) => 0 | 1,
  f1: (gold: string, prediction: string) => number,
): { exact: 0 | 1; f1: number } {
  let bestExact: 0 | 1 = 0;
  let bestF1 = 0;
  for (const gold of golds) {
    if (exactMatch(gold, prediction) === 1) bestExact = 1;
    bestF1 = Math.max(bestF1, f1(gold, prediction));
  }
  return { exact: bestExact, f1: bestF1 };
}

/** Best exact match and F1 of one prediction over the v2.0 scoring answers (`squadScoringAnswers`). */
export function scoreSquadPrediction(
  answers: readonly string[],
  prediction: string,
): { exact: 0 | 1; f1: number } {
  return bestOverGolds(squadScoringAnswers(answers), prediction, squadExactMatch, squadF1);
}

export interface SquadEvaluationOptions {
  /**
   * Probability that each question has no answer (the official `--na-prob-file`). Questions whose
   * probability exceeds `naProbThreshold` are treated as answered "no answer". When given, the best
   * thresholds for EM and F1 are searched too, as the official script does.
   */
  readonly naProbs?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
  /** Default 1.0 (the official default: nothing is forced to no-answer). */
  readonly naProbThreshold?: number;
  /**
   * What to do with questions that have no prediction. The official v2.0 script crashes on them
   * (KeyError after printing "Missing prediction for ..."). Default 'zero': they score 0 for EM and
   * F1 — even unanswerable ones, so that leaving a question out is never rewarded — and are listed
   * in `missing`. 'error' throws INVALID_ARGUMENT naming them.
   */
  readonly onMissing?: 'zero' | 'error';
}

export interface SquadQuestionScore {
  readonly exact: number;
  readonly f1: number;
  /** After applying the no-answer threshold (equal to exact/f1 without naProbs). */
  readonly exactThresholded: number;
  readonly f1Thresholded: number;
  /** The official `qid_to_has_ans`: the question lists at least one gold answer. */
  readonly hasAnswer: boolean;
  readonly missing: boolean;
}

export interface SquadSubsetScore {
  readonly exact: number;
  readonly f1: number;
  readonly total: number;
}

export interface SquadEvaluation {
  /** Percentages (0-100) as the official script prints them. */
  readonly exact: number;
  readonly f1: number;
  readonly total: number;
  readonly hasAns?: SquadSubsetScore;
  readonly noAns?: SquadSubsetScore;
  readonly bestExact?: number;
  readonly bestExactThreshold?: number;
  readonly bestF1?: number;
  readonly bestF1Threshold?: number;
  /** Per question id (a plain object, JSON-ready). */
  readonly perQuestion: Readonly<Record<string, SquadQuestionScore>>;
  /** Question ids without a prediction (scored 0). */
  readonly missing: readonly string[];
}

function lookup<V>(source: ReadonlyMap<string, V> | Readonly<Record<string, V>>, key: string): V | undefined {
  if (source instanceof Map) return source.get(key);
  const record = source as Readonly<Record<string, V>>;
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function entries<V>(source: ReadonlyMap<string, V> | Readonly<Record<string, V>>): [string, V][] {
  return source instanceof Map ? [...source.entries()] : Object.entries(source);
}

function subset(scores: readonly SquadQuestionScore[]): SquadSubsetScore | undefined {
  if (scores.length === 0) return undefined;
  let exact = 0;
  let f1 = 0;
  for (const s of scores) {
    exact += s.exactThresholded;
    f1 += s.f1Thresholded;
  }
  return { exact: (100.0 * exact) / scores.length, f1: (100.0 * f1) / scores.length, total: scores.length };
}

/**
 * SQuAD v2.0 evaluation with the official `evaluate-v2.0.py` semantics: EM and F1 per question (max
 * over gold answers), overall and split into HasAns / NoAns, optional no-answer probabilities with
 * the best-threshold search. Works for SQuAD v1.1 data too (every question then has answers).
 */
export function evaluateSquadV2(
  examples: Iterable<Pick<QaExample, 'id' | 'answers'>>,
  predictions: Predictions,
  options: SquadEvaluationOptions = {},
): SquadEvaluation {
  const threshold = options.naProbThreshold ?? 1.0;
  const naProbs = options.naProbs;
  const perQuestion = new Map<string, SquadQuestionScore>();
  const missing: string[] = [];
  const rawExact = new Map<string, number>();
  const rawF1 = new Map<string, number>();
  const hasAnswer = new Map<string, boolean>();
  for (const { example, prediction } of withPredictions(examples, predictions)) {
    const answered = example.answers.length > 0;
    hasAnswer.set(example.id, answered);
    if (prediction === undefined) {
      missing.push(example.id);
      perQuestion.set(example.id, {
        exact: 0,
        f1: 0,
        exactThresholded: 0,
        f1Thresholded: 0,
        hasAnswer: answered,
        missing: true,
      });
      continue;
    }
    const { exact, f1 } = scoreSquadPrediction(example.answers, prediction);
    rawExact.set(example.id, exact);
    rawF1.set(example.id, f1);
    const naProb = naProbs === undefined ? 0 : (lookup(naProbs, example.id) ?? 0);
    // apply_no_ans_threshold: a question predicted unanswerable scores 1 iff it has no answer.
    const forcedNoAnswer = naProb > threshold;
    perQuestion.set(example.id, {
      exact,
      f1,
      exactThresholded: forcedNoAnswer ? (answered ? 0 : 1) : exact,
      f1Thresholded: forcedNoAnswer ? (answered ? 0 : 1) : f1,
      hasAnswer: answered,
      missing: false,
    });
  }
  if (missing.length > 0 && options.onMissing === 'error') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${missing.length} question(s) have no prediction, e.g. ${missing
        .slice(0, 5)
        .map((id) => `"${id}"`)
        .join(', ')}`,
      { details: { missing } },
    );
  }
  const all = [...perQuestion.values()];
  const overall = subset(all) ?? { exact: 0, f1: 0, total: 0 };
  const result: {
    -readonly [K in keyof SquadEvaluation]: SquadEvaluation[K];
  } = {
    exact: overall.exact,
    f1: overall.f1,
    total: overall.total,
    perQuestion: Object.fromEntries(perQuestion),
    missing,
  };
  const hasAns = subset(all.filter((s) => s.hasAnswer));
  const noAns = subset(all.filter((s) => !s.hasAnswer));
  if (hasAns) result.hasAns = hasAns;
  if (noAns) result.noAns = noAns;
  if (naProbs !== undefined) {
    const best = (raw: Map<string, number>) =>
      findBestThreshold(predictions, raw, entries(naProbs), hasAnswer, raw.size);
    const exactBest = best(rawExact);
    const f1Best = best(rawF1);
    result.bestExact = exactBest.score;
    result.bestExactThreshold = exactBest.threshold;
    result.bestF1 = f1Best.score;
    result.bestF1Threshold = f1Best.threshold;
  }
  return result;
}

// find_best_thresh: sweep questions by increasing no-answer probability; answering a question gains
// its score if it has an answer, and costs 1 if it has none but a non-empty prediction was given.
function findBestThreshold(
  predictions: Predictions,
  scores: ReadonlyMap<string, number>,
  naProbs: readonly [string, number][],
  hasAnswer: ReadonlyMap<string, boolean>,
  scored: number,
): { score: number; threshold: number } {
  let noAnswerCount = 0;
  for (const answered of hasAnswer.values()) if (!answered) noAnswerCount++;
  let current = noAnswerCount;
  let best = current;
  let bestThreshold = 0.0;
  const ordered = [...naProbs].sort((a, b) => a[1] - b[1]);
  for (const [id, probability] of ordered) {
    const score = scores.get(id);
    if (score === undefined) continue;
    const diff = hasAnswer.get(id) ? score : predictionFor(predictions, id) ? -1 : 0;
    current += diff;
    if (current > best) {
      best = current;
      bestThreshold = probability;
    }
  }
  return { score: scored === 0 ? 0 : (100.0 * best) / scored, threshold: bestThreshold };
}

/** The evaluation as the official script prints it (`exact`, `f1`, `total`, `HasAns_exact`, ...). */
export function toOfficialSquadOutput(evaluation: SquadEvaluation): Record<string, number> {
  const out: Record<string, number> = {
    exact: evaluation.exact,
    f1: evaluation.f1,
    total: evaluation.total,
  };
  if (evaluation.hasAns) {
    out.HasAns_exact = evaluation.hasAns.exact;
    out.HasAns_f1 = evaluation.hasAns.f1;
    out.HasAns_total = evaluation.hasAns.total;
  }
  if (evaluation.noAns) {
    out.NoAns_exact = evaluation.noAns.exact;
    out.NoAns_f1 = evaluation.noAns.f1;
    out.NoAns_total = evaluation.noAns.total;
  }
  if (evaluation.bestExact !== undefined) {
    out.best_exact = evaluation.bestExact;
    out.best_exact_thresh = evaluation.bestExactThreshold ?? 0;
    out.best_f1 = evaluation.bestF1 ?? 0;
    out.best_f1_thresh = evaluation.bestF1Threshold ?? 0;
  }
  return out;
}
