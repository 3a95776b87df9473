import { isRagloomError } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { evaluateCmrc2018 } from '../src/qa/cmrc-metrics.js';
import { evaluateNqOpen } from '../src/qa/nq-open-metrics.js';
import type { Predictions } from '../src/qa/qa-types.js';
import { evaluateSquadV2 } from '../src/qa/squad-metrics.js';
import { evaluateSquadV1 } from '../src/qa/squad-v1-metrics.js';

type Evaluator = (
  examples: { id: string; answers: string[] }[],
  predictions: Predictions,
) => { readonly perQuestion: Readonly<Record<string, unknown>> };

// Every QA evaluator reads its examples and predictions through one check.
const evaluators: [string, Evaluator][] = [
  ['SQuAD v2.0', evaluateSquadV2],
  ['SQuAD v1.1', evaluateSquadV1],
  ['CMRC 2018', evaluateCmrc2018],
  ['NQ-open', evaluateNqOpen],
];

function refusal(run: () => unknown): { code: string; message: string; details?: unknown } {
  try {
    run();
  } catch (error) {
    if (isRagloomError(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe.each(evaluators)('%s input checks', (_name, evaluate) => {
  it('refuses a question id that appears twice (its score would count twice)', () => {
    const examples = [
      { id: 'q1', answers: ['Paris'] },
      { id: 'q1', answers: ['Lyon'] },
    ];
    const error = refusal(() => evaluate(examples, { q1: 'Paris' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('question id "q1" appears twice in the data set');
    expect(error.details).toEqual({ id: 'q1' });
  });

  it('refuses a prediction that is not a string, naming the question', () => {
    const predictions = JSON.parse('{"q1": "Paris", "q2": 42}') as Predictions;
    const examples = [
      { id: 'q1', answers: ['Paris'] },
      { id: 'q2', answers: ['Lyon'] },
    ];
    const error = refusal(() => evaluate(examples, predictions));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe('prediction for question "q2" must be a string, got number');
  });

  it('scores distinct questions with string predictions, a missing one included', () => {
    const result = evaluate(
      [
        { id: 'q1', answers: ['Paris'] },
        { id: 'q2', answers: ['Lyon'] },
      ],
      { q1: 'Paris' },
    );
    expect(Object.keys(result.perQuestion)).toEqual(['q1', 'q2']);
  });
});
