import { malformedLine, readJsonLines } from '../io/line-reader.js';
import type { QaExample } from '../qa/qa-types.js';

export interface NqOpenOptions {
  /** Which answer field to score against (EfficientQA test also has `answer_and_def_correct_predictions`). Default 'answer'. */
  readonly answerField?: string;
  readonly signal?: AbortSignal;
}

/**
 * Streams an NQ-open JSONL file (`{"question": ..., "answer": [...]}` per line, also EfficientQA). The
 * id is the line's `id` field when present, else its 0-based index among the examples. A malformed
 * line throws INVALID_ARGUMENT naming the file and line number.
 */
export async function* streamNqOpen(path: string, options: NqOpenOptions = {}): AsyncGenerator<QaExample> {
  const field = options.answerField ?? 'answer';
  let index = 0;
  for await (const { value, line } of readJsonLines(path, { signal: options.signal, what: 'NQ-open file' })) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw malformedLine(path, line, 'expected a JSON object');
    }
    const record = value as Record<string, unknown>;
    if (typeof record.question !== 'string') throw malformedLine(path, line, '"question" must be a string');
    const answers = record[field];
    if (!Array.isArray(answers) || answers.some((a) => typeof a !== 'string')) {
      throw malformedLine(path, line, `"${field}" must be an array of strings`);
    }
    const id =
      typeof record.id === 'string' || typeof record.id === 'number' ? String(record.id) : String(index);
    index++;
    yield { id, question: record.question, answers: answers as string[] };
  }
}

/** Loads a whole NQ-open JSONL file. */
export async function loadNqOpen(path: string, options: NqOpenOptions = {}): Promise<QaExample[]> {
  const examples: QaExample[] = [];
  for await (const example of streamNqOpen(path, options)) examples.push(example);
  return examples;
}
