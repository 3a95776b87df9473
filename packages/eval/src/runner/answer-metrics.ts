import { cmrcExactMatch, cmrcF1, cmrcRemovePunctuation, evaluateCmrc2018 } from '../qa/cmrc-metrics.js';
import { answerInText, evaluateNqOpen, nqOpenExactMatch } from '../qa/nq-open-metrics.js';
import type { QaExample } from '../qa/qa-types.js';
import { evaluateSquadV2, scoreSquadPrediction, toOfficialSquadOutput } from '../qa/squad-metrics.js';
import { evaluateSquadV1, scoreSquadV1Prediction } from '../qa/squad-v1-metrics.js';

/** How a QA run's answers are scored: the official script of its data set. */
export type AnswerMetric = 'squad' | 'squad-v1' | 'cmrc' | 'nq-open';

/** What an answer metric contributes to a run: aggregate values (0-1) and the official script's output. */
export interface AnswerAggregate {
  readonly values: readonly (readonly [name: string, value: number])[];
  readonly official: Readonly<Record<string, number | string>>;
}

/** One data set's official scoring, and the conventions of its language. */
export interface AnswerMetricDefinition {
  /** Whether this metric scores a question (CMRC and SQuAD v1.1 only score answerable ones). */
  scores(example: QaExample): boolean;
  /** Per-question answer scores (`exact`, and `f1` where the metric has one). */
  scoreQuestion(example: QaExample, prediction: string): Readonly<Record<string, number>>;
  /** The run's answer scores, aggregated exactly as the official script does. */
  aggregate(examples: readonly QaExample[], predictions: ReadonlyMap<string, string>): AnswerAggregate;
  /** Whether the answer contains a gold answer (a lenient "the answer is in there" rate for long answers). */
  containsGold(answers: readonly string[], answer: string): boolean;
  /** Answers are measured in words (space-separated languages) or characters (Chinese). */
  readonly lengthUnit: 'words' | 'characters';
}

const answerable = (example: QaExample) => example.answers.length > 0;
const percent = (value: number) => value / 100;

// CMRC golds are short Chinese spans; containment ignores whitespace and the official punctuation list.
const cmrcContainment = (text: string) => cmrcRemovePunctuation(text).replace(/\s+/gu, '');

/** The answer metrics by name: `evaluatePipeline` looks its metric up here instead of branching on it. */
export const ANSWER_METRICS: Readonly<Record<AnswerMetric, AnswerMetricDefinition>> = {
  squad: {
    scores: () => true,
    scoreQuestion: (example, prediction) => scoreSquadPrediction(example.answers, prediction),
    aggregate(examples, predictions) {
      const squad = evaluateSquadV2(examples, predictions);
      const values: [string, number][] = [
        ['exact', percent(squad.exact)],
        ['f1', percent(squad.f1)],
      ];
      if (squad.hasAns && squad.noAns) {
        values.push(
          ['hasAns.exact', percent(squad.hasAns.exact)],
          ['hasAns.f1', percent(squad.hasAns.f1)],
          ['noAns.exact', percent(squad.noAns.exact)],
          ['noAns.f1', percent(squad.noAns.f1)],
        );
      }
      return { values, official: toOfficialSquadOutput(squad) };
    },
    containsGold: answerInText,
    lengthUnit: 'words',
  },
  'squad-v1': {
    scores: answerable,
    scoreQuestion(example, prediction) {
      const { exactMatch, f1 } = scoreSquadV1Prediction(example.answers, prediction);
      return { exact: exactMatch, f1 };
    },
    aggregate(examples, predictions) {
      const v1 = evaluateSquadV1(examples.filter(answerable), predictions);
      return {
        values: [
          ['exact', percent(v1.exactMatch)],
          ['f1', percent(v1.f1)],
        ],
        official: { exact_match: v1.exactMatch, f1: v1.f1 },
      };
    },
    containsGold: answerInText,
    lengthUnit: 'words',
  },
  cmrc: {
    scores: answerable,
    scoreQuestion: (example, prediction) => ({
      exact: cmrcExactMatch(example.answers, prediction, example.id),
      f1: cmrcF1(example.answers, prediction, example.id),
    }),
    aggregate(examples, predictions) {
      const cmrc = evaluateCmrc2018(examples.filter(answerable), predictions);
      return {
        values: [
          ['exact', percent(cmrc.em)],
          ['f1', percent(cmrc.f1)],
        ],
        official: { AVERAGE: cmrc.average, F1: cmrc.f1, EM: cmrc.em, TOTAL: cmrc.total, SKIP: cmrc.skipped },
      };
    },
    containsGold(answers, answer) {
      const text = cmrcContainment(answer);
      return answers.some((gold) => {
        const needle = cmrcContainment(gold);
        return needle !== '' && text.includes(needle);
      });
    },
    lengthUnit: 'characters',
  },
  'nq-open': {
    scores: () => true,
    scoreQuestion: (example, prediction) => ({
      exact: nqOpenExactMatch(example.answers, prediction) ? 1 : 0,
    }),
    aggregate(examples, predictions) {
      const nq = evaluateNqOpen(examples, predictions);
      return {
        values: [['exact', percent(nq.exactMatch)]],
        official: { exact_match: nq.exactMatch, total: nq.total },
      };
    },
    containsGold: answerInText,
    lengthUnit: 'words',
  },
};

export const ANSWER_METRIC_NAMES = Object.keys(ANSWER_METRICS) as AnswerMetric[];

/** The length of an answer in the metric's unit: whitespace-separated words, or non-space characters. */
export function answerLength(answer: string, unit: AnswerMetricDefinition['lengthUnit']): number {
  if (unit === 'words') return (answer.match(/\S+/gu) ?? []).length;
  let n = 0;
  for (const char of answer) if (!/\s/u.test(char)) n++;
  return n;
}
