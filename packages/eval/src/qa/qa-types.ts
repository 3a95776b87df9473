import { RagloomError } from '@ragloom/core';

/** One question of a QA data set (SQuAD, CMRC 2018, NQ-open), in the shape every QA metric takes. */
export interface QaExample {
  readonly id: string;
  readonly question: string;
  /**
   * Gold answer texts, in data-set order (duplicates kept, as the official scripts see them). Empty
   * for an unanswerable SQuAD 2.0 question.
   */
  readonly answers: readonly string[];
  /** Character offsets of the answers in `context`, when the data set gives them. */
  readonly answerStarts?: readonly number[];
  /** The passage the answers come from (SQuAD-format data sets). */
  readonly context?: string;
  /** A stable id of that passage, e.g. `<title>#<paragraph index>`; gold passage for context metrics. */
  readonly contextId?: string;
  readonly title?: string;
}

/** Predictions: question id → answer text, as a Map or the official JSON object. */
export type Predictions = ReadonlyMap<string, string> | Readonly<Record<string, string>>;

/** The prediction for a question (own properties only, so ids like "constructor" are safe). */
export function predictionFor(predictions: Predictions, id: string): string | undefined {
  if (predictions instanceof Map) return predictions.get(id);
  const record = predictions as Readonly<Record<string, string>>;
  return Object.hasOwn(record, id) ? record[id] : undefined;
}

/**
 * The examples of a QA evaluation in order, each with its prediction (undefined when there is none). A question
 * id that appears twice (its score would count twice) and a prediction that is not a string are INVALID_ARGUMENT
 * errors naming the question, as every evaluator refuses them.
 */
export function* withPredictions<E extends Pick<QaExample, 'id'>>(
  examples: Iterable<E>,
  predictions: Predictions,
): Generator<{ readonly example: E; readonly prediction: string | undefined }> {
  const seen = new Set<string>();
  for (const example of examples) {
    if (seen.has(example.id)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `question id "${example.id}" appears twice in the data set`,
        {
          details: { id: example.id },
        },
      );
    }
    seen.add(example.id);
    const prediction: unknown = predictionFor(predictions, example.id);
    if (prediction !== undefined && typeof prediction !== 'string') {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `prediction for question "${example.id}" must be a string, got ${prediction === null ? 'null' : typeof prediction}`,
        { details: { id: example.id } },
      );
    }
    yield { example, prediction };
  }
}
