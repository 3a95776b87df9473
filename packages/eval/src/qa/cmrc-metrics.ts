import { RagloomError } from '@ragloom/core';
import { pyLower, pyStrip } from '../util/python-text.js';
import { nltkWordTokenize } from './nltk-word-tokenize.js';
import { PUNKT_ENGLISH_LOWERCASE } from './punkt-english-parameters.js';
import { type Predictions, type QaExample, withPredictions } from './qa-types.js';

/**
 * CMRC 2018's punctuation list (`sp_char`). It holds "……" as one two-character entry, which a
 * single character never equals, so a lone "…" is kept — as in the official script. ASCII , . ( ) !
 * are not in it.
 */
const CMRC_PUNCTUATION = new Set([
  '-', ':', '_', '*', '^', '/', '\\', '~', '`', '+', '=',
  '，', '。', '：', '？', '！', '“', '”', '；', '’', '《', '》', '……', '·', '、',
  '「', '」', '（', '）', '－', '～', '『', '』',
]); // biome-ignore format: keeps the official list's layout

const CJK_UNIFIED = /[\u4e00-\u9fa5]/u;

/**
 * CMRC 2018's `mixed_segmentation`: lowercase and strip, then every Chinese character (U+4E00–U+9FA5)
 * and punctuation mark is one segment, and the runs of other text between them are split with
 * `nltk.word_tokenize` (Punkt + Treebank, ported exactly). With `removePunctuation` the listed
 * punctuation is dropped first, as the F1 computation does.
 */
export function cmrcMixedSegmentation(text: string, removePunctuation = false): string[] {
  const segments: string[] = [];
  let run = '';
  const flush = () => {
    if (run !== '') segments.push(...nltkWordTokenize(run, PUNKT_ENGLISH_LOWERCASE));
    run = '';
  };
  for (const char of pyStrip(pyLower(text))) {
    if (removePunctuation && CMRC_PUNCTUATION.has(char)) continue;
    if (CJK_UNIFIED.test(char) || CMRC_PUNCTUATION.has(char)) {
      flush();
      segments.push(char);
    } else {
      run += char;
    }
  }
  flush();
  return segments;
}

/** CMRC 2018's `remove_punctuation`: lowercase, strip, drop the listed punctuation (whitespace inside stays). */
export function cmrcRemovePunctuation(text: string): string {
  let out = '';
  for (const char of pyStrip(pyLower(text))) if (!CMRC_PUNCTUATION.has(char)) out += char;
  return out;
}

/** Length of the longest common contiguous run of segments (CMRC's `find_lcs`). */
export function longestCommonSubstringLength(a: readonly string[], b: readonly string[]): number {
  let best = 0;
  let previous = new Array<number>(b.length + 1).fill(0);
  for (let i = 0; i < a.length; i++) {
    const current = new Array<number>(b.length + 1).fill(0);
    for (let j = 0; j < b.length; j++) {
      if (a[i] === b[j]) {
        current[j + 1] = previous[j]! + 1;
        if (current[j + 1]! > best) best = current[j + 1]!;
      }
    }
    previous = current;
  }
  return best;
}

function requireAnswers(answers: readonly string[], id: string | undefined): void {
  if (answers.length === 0) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `CMRC scoring needs at least one gold answer${id === undefined ? '' : ` (question "${id}")`}`,
      { details: { id } },
    );
  }
}

/** CMRC 2018 F1 of one prediction: longest common substring of segments, max over gold answers. */
export function cmrcF1(answers: readonly string[], prediction: string, id?: string): number {
  requireAnswers(answers, id);
  const predictionSegments = cmrcMixedSegmentation(prediction, true);
  let best = 0;
  for (const answer of answers) {
    const answerSegments = cmrcMixedSegmentation(answer, true);
    const lcs = longestCommonSubstringLength(answerSegments, predictionSegments);
    if (lcs === 0) continue;
    const precision = (1.0 * lcs) / predictionSegments.length;
    const recall = (1.0 * lcs) / answerSegments.length;
    best = Math.max(best, (2 * precision * recall) / (precision + recall));
  }
  return best;
}

/** CMRC 2018 exact match: equal after `remove_punctuation`, for any gold answer. */
export function cmrcExactMatch(answers: readonly string[], prediction: string, id?: string): 0 | 1 {
  requireAnswers(answers, id);
  const normalized = cmrcRemovePunctuation(prediction);
  return answers.some((answer) => cmrcRemovePunctuation(answer) === normalized) ? 1 : 0;
}

export interface CmrcQuestionScore {
  readonly em: number;
  readonly f1: number;
  readonly missing: boolean;
}

export interface CmrcEvaluation {
  /** Percentages (0-100) over every question; unanswered ones count as 0, as in the official script. */
  readonly em: number;
  readonly f1: number;
  /** (EM + F1) / 2, the official "AVERAGE". */
  readonly average: number;
  readonly total: number;
  /** Questions without a prediction (the official SKIP count). */
  readonly skipped: number;
  /** Per question id (a plain object, JSON-ready). */
  readonly perQuestion: Readonly<Record<string, CmrcQuestionScore>>;
}

/** The official CMRC 2018 evaluation (`cmrc2018_evaluate.py`, v6) over a data set and predictions. */
export function evaluateCmrc2018(
  examples: Iterable<Pick<QaExample, 'id' | 'answers'>>,
  predictions: Predictions,
): CmrcEvaluation {
  const perQuestion = new Map<string, CmrcQuestionScore>();
  let em = 0;
  let f1 = 0;
  let total = 0;
  let skipped = 0;
  for (const { example, prediction } of withPredictions(examples, predictions)) {
    total++;
    if (prediction === undefined) {
      skipped++;
      perQuestion.set(example.id, { em: 0, f1: 0, missing: true });
      continue;
    }
    const questionF1 = cmrcF1(example.answers, prediction, example.id);
    const questionEm = cmrcExactMatch(example.answers, prediction, example.id);
    f1 += questionF1;
    em += questionEm;
    perQuestion.set(example.id, { em: questionEm, f1: questionF1, missing: false });
  }
  const f1Score = total === 0 ? 0 : (100.0 * f1) / total;
  const emScore = total === 0 ? 0 : (100.0 * em) / total;
  return {
    em: emScore,
    f1: f1Score,
    average: (emScore + f1Score) * 0.5,
    total,
    skipped,
    perQuestion: Object.fromEntries(perQuestion),
  };
}
