import { type Predictions, type QaExample, withPredictions } from './qa-types.js';
import { normalizeSquadAnswer } from './squad-metrics.js';

/**
 * NQ-open answer normalisation, as the official ORQA `evaluate_predictions.py` does it: Unicode NFD
 * first, then SQuAD's lowercase / punctuation / articles / whitespace normalisation.
 */
export function normalizeNqAnswer(text: string): string {
  return normalizeSquadAnswer(text.normalize('NFD'));
}

/** NQ-open exact match: the normalised prediction equals some normalised gold answer. */
export function nqOpenExactMatch(answers: readonly string[], prediction: string): boolean {
  const normalized = normalizeNqAnswer(prediction);
  return answers.some((answer) => normalizeNqAnswer(answer) === normalized);
}

/**
 * Regex answer matching (ORQA's `regex_match_score`, used for CuratedTREC): some pattern matches at
 * the start of the prediction, case-insensitively. Patterns are JavaScript regular expressions; an
 * invalid pattern never matches, as in ORQA.
 */
export function nqOpenRegexMatch(patterns: readonly string[], prediction: string): boolean {
  return patterns.some((pattern) => {
    let regex: RegExp;
    try {
      regex = new RegExp(pattern, 'imuy');
    } catch {
      return false;
    }
    return regex.test(prediction);
  });
}

// DPR's SimpleTokenizer: runs of letters/digits/marks, or any other single non-space character.
const DPR_TOKEN = /[\p{L}\p{N}\p{M}]+|[^\p{Z}\p{C}]/gu;

function dprTokens(text: string): string[] {
  return (text.normalize('NFD').match(DPR_TOKEN) ?? []).map((t) => t.toLowerCase());
}

/**
 * Whether a passage contains one of the answers, as DPR's `has_answer` decides it for top-k retrieval
 * accuracy on NQ-open: the answer's tokens appear as a contiguous run of the passage's tokens
 * (lowercased, NFD, letters/digits runs and single symbols).
 */
export function answerInText(answers: readonly string[], text: string): boolean {
  const passage = dprTokens(text);
  return answers.some((answer) => {
    const needle = dprTokens(answer);
    if (needle.length === 0) return false;
    outer: for (let i = 0; i + needle.length <= passage.length; i++) {
      for (let j = 0; j < needle.length; j++) if (passage[i + j] !== needle[j]) continue outer;
      return true;
    }
    return false;
  });
}

export interface NqOpenEvaluation {
  /** Percentage (0-100) of questions whose prediction matches a gold answer. */
  readonly exactMatch: number;
  readonly total: number;
  readonly perQuestion: Readonly<Record<string, { readonly exactMatch: boolean; readonly missing: boolean }>>;
  readonly missing: readonly string[];
}

/** Scores predictions on NQ-open (or EfficientQA) with the official exact-match rule; missing predictions count as wrong. */
export function evaluateNqOpen(
  examples: Iterable<Pick<QaExample, 'id' | 'answers'>>,
  predictions: Predictions,
  options: { readonly regex?: boolean } = {},
): NqOpenEvaluation {
  const perQuestion = new Map<string, { exactMatch: boolean; missing: boolean }>();
  const missing: string[] = [];
  let correct = 0;
  for (const { example, prediction } of withPredictions(examples, predictions)) {
    if (prediction === undefined) {
      missing.push(example.id);
      perQuestion.set(example.id, { exactMatch: false, missing: true });
      continue;
    }
    const match = options.regex
      ? nqOpenRegexMatch(example.answers, prediction)
      : nqOpenExactMatch(example.answers, prediction);
    if (match) correct++;
    perQuestion.set(example.id, { exactMatch: match, missing: false });
  }
  const total = perQuestion.size;
  return {
    exactMatch: total === 0 ? 0 : (100 * correct) / total,
    total,
    perQuestion: Object.fromEntries(perQuestion),
    missing,
  };
}
