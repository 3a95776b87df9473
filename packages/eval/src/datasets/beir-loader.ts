import { join } from 'node:path';
import { type Metadata, type ProgressEvent, RagloomError } from '@ragloom/core';
import { malformedLine, readJsonLines, readLines } from '../io/line-reader.js';
import { addJudgment } from '../retrieval/trec-files.js';

/** A BEIR corpus document (`corpus.jsonl`: `_id`, `title`, `text`, optional `metadata`). */
export interface BeirDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
  readonly metadata: Metadata;
}

/** A BEIR query (`queries.jsonl`: `_id`, `text`, optional `metadata`). */
export interface BeirQuery {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
}

export interface BeirDataset {
  readonly corpus: readonly BeirDocument[];
  /** The queries that have judgments in the split, in queries.jsonl order. */
  readonly queries: readonly BeirQuery[];
  readonly qrels: ReadonlyMap<string, ReadonlyMap<string, number>>;
  readonly split: string;
}

export interface BeirLoadOptions {
  /** Qrels split: `qrels/<split>.tsv` (default 'test'). */
  readonly split?: string;
  /** Reports lines read per file. */
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
}

function flatMetadata(value: unknown, file: string, line: number): Metadata {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value))
    throw malformedLine(file, line, '"metadata" must be an object');
  const out: Record<string, Metadata[string]> = {};
  for (const [key, v] of Object.entries(value)) {
    // Keep what the flat metadata contract can hold; nested values are carried as JSON text.
    if (
      v === null ||
      typeof v === 'string' ||
      typeof v === 'boolean' ||
      (typeof v === 'number' && Number.isFinite(v))
    ) {
      out[key] = v;
    } else if (
      Array.isArray(v) &&
      v.every((x) => typeof x === 'string' || typeof x === 'number' || typeof x === 'boolean')
    ) {
      out[key] = v;
    } else {
      out[key] = JSON.stringify(v);
    }
  }
  return out;
}

function idOf(record: Record<string, unknown>, file: string, line: number): string {
  const id = record._id;
  if (typeof id === 'number' && Number.isFinite(id)) return String(id);
  if (typeof id !== 'string' || id === '')
    throw malformedLine(file, line, '"_id" must be a non-empty string');
  return id;
}

function asRecord(value: unknown, file: string, line: number): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformedLine(file, line, 'expected a JSON object');
  }
  return value as Record<string, unknown>;
}

/** Streams `corpus.jsonl` of a BEIR folder. Malformed lines throw INVALID_ARGUMENT naming file and line. */
export async function* streamBeirCorpus(
  dir: string,
  options: Pick<BeirLoadOptions, 'signal' | 'onProgress'> = {},
): AsyncGenerator<BeirDocument> {
  const file = join(dir, 'corpus.jsonl');
  let count = 0;
  for await (const { value, line } of readJsonLines(file, { signal: options.signal, what: 'BEIR corpus' })) {
    const record = asRecord(value, file, line);
    const title = record.title ?? '';
    if (typeof title !== 'string') throw malformedLine(file, line, '"title" must be a string');
    if (typeof record.text !== 'string') throw malformedLine(file, line, '"text" must be a string');
    yield {
      id: idOf(record, file, line),
      title,
      text: record.text,
      metadata: flatMetadata(record.metadata, file, line),
    };
    count++;
    if (count % 1000 === 0) options.onProgress?.({ phase: 'load-corpus', completed: count });
  }
  options.onProgress?.({ phase: 'load-corpus', completed: count, total: count });
}

/** Streams `queries.jsonl` of a BEIR folder. */
export async function* streamBeirQueries(
  dir: string,
  options: Pick<BeirLoadOptions, 'signal'> = {},
): AsyncGenerator<BeirQuery> {
  const file = join(dir, 'queries.jsonl');
  for await (const { value, line } of readJsonLines(file, { signal: options.signal, what: 'BEIR queries' })) {
    const record = asRecord(value, file, line);
    if (typeof record.text !== 'string') throw malformedLine(file, line, '"text" must be a string');
    yield {
      id: idOf(record, file, line),
      text: record.text,
      metadata: flatMetadata(record.metadata, file, line),
    };
  }
}

/**
 * Reads `qrels/<split>.tsv` of a BEIR folder: `query-id<TAB>corpus-id<TAB>score`, with an optional
 * header line. Grades must be integers; a document judged twice for a query is an error.
 */
export async function readBeirQrels(
  dir: string,
  split = 'test',
  options: Pick<BeirLoadOptions, 'signal'> = {},
): Promise<Map<string, Map<string, number>>> {
  const file = join(dir, 'qrels', `${split}.tsv`);
  const qrels = new Map<string, Map<string, number>>();
  for await (const { text, line } of readLines(file, {
    signal: options.signal,
    what: `BEIR qrels (${split})`,
  })) {
    if (text.trim() === '') continue;
    const fields = text.split('\t');
    if (line === 1 && fields[2] !== undefined && Number.isNaN(Number(fields[2]))) continue; // header
    if (fields.length !== 3) {
      throw malformedLine(
        file,
        line,
        `expected 3 tab-separated fields "query-id corpus-id score", got ${fields.length}`,
      );
    }
    const [queryId, docId, score] = fields as [string, string, string];
    const grade = Number(score);
    if (score.trim() === '' || !Number.isInteger(grade))
      throw malformedLine(file, line, `score "${score}" is not an integer`);
    addJudgment(qrels, [queryId, docId, grade], file, line);
  }
  return qrels;
}

/**
 * Loads a BEIR folder: the corpus, the queries judged in the split, and its qrels. Queries the qrels
 * name but queries.jsonl lacks are an error (the data set is inconsistent).
 */
export async function loadBeirDataset(dir: string, options: BeirLoadOptions = {}): Promise<BeirDataset> {
  const split = options.split ?? 'test';
  const qrels = await readBeirQrels(dir, split, options);
  const queries: BeirQuery[] = [];
  for await (const query of streamBeirQueries(dir, options)) if (qrels.has(query.id)) queries.push(query);
  if (queries.length !== qrels.size) {
    const known = new Set(queries.map((q) => q.id));
    const unknown = [...qrels.keys()].filter((id) => !known.has(id));
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${join(dir, 'qrels', `${split}.tsv`)} judges ${unknown.length} queries that queries.jsonl does not have, e.g. "${unknown[0]}"`,
      { details: { unknown: unknown.slice(0, 20) } },
    );
  }
  const corpus: BeirDocument[] = [];
  for await (const doc of streamBeirCorpus(dir, options)) corpus.push(doc);
  return { corpus, queries, qrels, split };
}
