import { readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import { assertReadableFile } from '../io/line-reader.js';
import type { QaExample } from '../qa/qa-types.js';

function lineAndColumn(text: string, position: number): { line: number; column: number } {
  let line = 1;
  let lastBreak = -1;
  for (let i = 0; i < position && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lastBreak = i;
    }
  }
  return { line, column: position - lastBreak };
}

/** Parses a whole JSON file; a syntax error names the file, line and column. */
export async function readJsonFile(path: string, what = 'JSON file'): Promise<unknown> {
  await assertReadableFile(path, what);
  const text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '');
  try {
    return JSON.parse(text);
  } catch (cause) {
    const message = (cause as Error).message;
    const position = /position (\d+)/.exec(message);
    const where = position ? lineAndColumn(text, Number(position[1])) : undefined;
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${path}${where ? `:${where.line}:${where.column}` : ''}: malformed JSON (${message})`,
      { cause, details: { file: path, ...where } },
    );
  }
}

function fail(file: string, path: string, problem: string): never {
  throw new RagloomError('INVALID_ARGUMENT', `${file}: ${path} ${problem}`, { details: { file, path } });
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function asArray(file: string, path: string, value: unknown): unknown[] {
  if (!Array.isArray(value))
    fail(file, path, `must be an array, got ${value === null ? 'null' : typeof value}`);
  return value;
}

/**
 * Flattens a SQuAD-format document (`{ data: [{ title, paragraphs: [{ context, qas: [...] }] }] }`) into
 * one QaExample per question, in file order. This is the format of SQuAD 1.1/2.0 and of the
 * SQuAD-style CMRC 2018 and DRCD files. `contextId` is `<article index>-<paragraph index>`, the gold
 * passage for context metrics. `source` names the file in errors.
 */
export function parseSquadDocument(document: unknown, source = 'SQuAD data'): QaExample[] {
  if (!isObject(document)) fail(source, 'the document', 'must be an object with a `data` array');
  const examples: QaExample[] = [];
  const seen = new Set<string>();
  asArray(source, 'data', document.data).forEach((article, a) => {
    const articlePath = `data[${a}]`;
    if (!isObject(article)) fail(source, articlePath, 'must be an object');
    const title = typeof article.title === 'string' ? article.title : undefined;
    asArray(source, `${articlePath}.paragraphs`, article.paragraphs).forEach((paragraph, p) => {
      const paragraphPath = `${articlePath}.paragraphs[${p}]`;
      if (!isObject(paragraph)) fail(source, paragraphPath, 'must be an object');
      if (typeof paragraph.context !== 'string') fail(source, `${paragraphPath}.context`, 'must be a string');
      const context = paragraph.context;
      asArray(source, `${paragraphPath}.qas`, paragraph.qas).forEach((qa, q) => {
        const qaPath = `${paragraphPath}.qas[${q}]`;
        if (!isObject(qa)) fail(source, qaPath, 'must be an object');
        const id = typeof qa.id === 'number' ? String(qa.id) : qa.id;
        if (typeof id !== 'string' || id === '') fail(source, `${qaPath}.id`, 'must be a non-empty string');
        if (seen.has(id)) fail(source, `${qaPath}.id`, `"${id}" is used by an earlier question`);
        seen.add(id);
        if (typeof qa.question !== 'string') fail(source, `${qaPath}.question`, 'must be a string');
        const answers: string[] = [];
        const answerStarts: number[] = [];
        asArray(source, `${qaPath}.answers`, qa.answers ?? []).forEach((answer, i) => {
          const answerPath = `${qaPath}.answers[${i}]`;
          if (typeof answer === 'string') {
            answers.push(answer);
            return;
          }
          if (!isObject(answer) || typeof answer.text !== 'string') {
            fail(source, `${answerPath}.text`, 'must be a string');
          }
          answers.push(answer.text);
          if (typeof answer.answer_start === 'number') answerStarts.push(answer.answer_start);
        });
        examples.push({
          id,
          question: qa.question,
          answers,
          ...(answerStarts.length === answers.length && answers.length > 0 ? { answerStarts } : {}),
          context,
          contextId: `${a}-${p}`,
          ...(title === undefined ? {} : { title }),
        });
      });
    });
  });
  return examples;
}

/** Loads a SQuAD-format JSON file (SQuAD 2.0, CMRC 2018 SQuAD-style, ...) as QaExamples. */
export async function loadSquadDataset(path: string): Promise<QaExample[]> {
  return parseSquadDocument(await readJsonFile(path, 'SQuAD-format data set'), path);
}

/** Loads a predictions file: a JSON object mapping question id to answer text (the official format). */
export async function loadQaPredictions(path: string): Promise<Map<string, string>> {
  const document = await readJsonFile(path, 'predictions file');
  if (!isObject(document)) fail(path, 'the document', 'must be an object mapping question ids to answers');
  const predictions = new Map<string, string>();
  for (const [id, answer] of Object.entries(document)) {
    if (typeof answer !== 'string') fail(path, `prediction "${id}"`, 'must be a string');
    predictions.set(id, answer);
  }
  return predictions;
}
