import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import { malformedLine, readLines } from '../io/line-reader.js';
import type { RankedDocument } from './retrieval-types.js';

const FIELDS = /\S+/g;

/** Parses one qrels line (`qid iter docno rel`); undefined for a blank line. */
function parseQrelsLine(text: string, file: string, line: number): [string, string, number] | undefined {
  const fields = text.match(FIELDS);
  if (fields === null) return undefined;
  if (fields.length !== 4) {
    throw malformedLine(
      file,
      line,
      `expected 4 fields "query-id iteration doc-id grade", got ${fields.length}`,
    );
  }
  const grade = Number(fields[3]);
  if (!Number.isInteger(grade)) throw malformedLine(file, line, `grade "${fields[3]}" is not an integer`);
  return [fields[0]!, fields[2]!, grade];
}

/** Parses one run line (`qid Q0 docno rank score tag`); undefined for a blank line. */
function parseRunLine(text: string, file: string, line: number): [string, string, number] | undefined {
  const fields = text.match(FIELDS);
  if (fields === null) return undefined;
  if (fields.length !== 6) {
    throw malformedLine(
      file,
      line,
      `expected 6 fields "query-id Q0 doc-id rank score run-tag", got ${fields.length}`,
    );
  }
  const score = Number(fields[4]);
  if (!Number.isFinite(score)) throw malformedLine(file, line, `score "${fields[4]}" is not a finite number`);
  return [fields[0]!, fields[2]!, score];
}

/** Adds one judgment to qrels; a document judged twice for a query is an error naming file and line. */
export function addJudgment(
  qrels: Map<string, Map<string, number>>,
  [queryId, docId, grade]: [string, string, number],
  file: string,
  line: number,
): void {
  let grades = qrels.get(queryId);
  if (grades === undefined) {
    grades = new Map();
    qrels.set(queryId, grades);
  }
  if (grades.has(docId))
    throw malformedLine(file, line, `document "${docId}" is judged twice for query "${queryId}"`);
  grades.set(docId, grade);
}

function addRanked(
  run: Map<string, RankedDocument[]>,
  seen: Map<string, Set<string>>,
  [queryId, id, score]: [string, string, number],
  file: string,
  line: number,
): void {
  let docs = run.get(queryId);
  if (docs === undefined) {
    docs = [];
    run.set(queryId, docs);
    seen.set(queryId, new Set());
  }
  const ids = seen.get(queryId)!;
  if (ids.has(id)) throw malformedLine(file, line, `document "${id}" appears twice for query "${queryId}"`);
  ids.add(id);
  docs.push({ id, score });
}

/** Parses TREC qrels text (`qid iter docno rel` per line). `source` names it in errors. */
export function parseTrecQrels(text: string, source = 'qrels'): Map<string, Map<string, number>> {
  const qrels = new Map<string, Map<string, number>>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const parsed = parseQrelsLine(raw, source, i + 1);
    if (parsed) addJudgment(qrels, parsed, source, i + 1);
  });
  return qrels;
}

/** Reads a TREC qrels file, streaming. Malformed lines throw INVALID_ARGUMENT naming file and line. */
export async function readTrecQrels(path: string, options: { signal?: AbortSignal } = {}) {
  const qrels = new Map<string, Map<string, number>>();
  for await (const { text, line } of readLines(path, { ...options, what: 'qrels file' })) {
    const parsed = parseQrelsLine(text, path, line);
    if (parsed) addJudgment(qrels, parsed, path, line);
  }
  return qrels;
}

/** Parses a TREC run (`qid Q0 docno rank score tag`). The rank column is ignored, as trec_eval does. */
export function parseTrecRun(text: string, source = 'run'): Map<string, RankedDocument[]> {
  const run = new Map<string, RankedDocument[]>();
  const seen = new Map<string, Set<string>>();
  text.split(/\r?\n/).forEach((raw, i) => {
    const parsed = parseRunLine(raw, source, i + 1);
    if (parsed) addRanked(run, seen, parsed, source, i + 1);
  });
  return run;
}

/** Reads a TREC run file, streaming. */
export async function readTrecRun(path: string, options: { signal?: AbortSignal } = {}) {
  const run = new Map<string, RankedDocument[]>();
  const seen = new Map<string, Set<string>>();
  for await (const { text, line } of readLines(path, { ...options, what: 'run file' })) {
    const parsed = parseRunLine(text, path, line);
    if (parsed) addRanked(run, seen, parsed, path, line);
  }
  return run;
}

/**
 * Formats a run as TREC text, ranked by score (ties by id descending, the order trec_eval will use),
 * so the file can be scored by trec_eval or ranx as well.
 */
export function formatTrecRun(run: ReadonlyMap<string, readonly RankedDocument[]>, tag = 'ragloom'): string {
  if (/\s/.test(tag) || tag === '') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `run tag must be a non-empty word without whitespace, got "${tag}"`,
    );
  }
  const lines: string[] = [];
  for (const [queryId, docs] of run) {
    if (/\s/.test(queryId))
      throw new RagloomError('INVALID_ARGUMENT', `query id "${queryId}" contains whitespace`);
    const ranked = [...docs].sort((a, b) =>
      a.score !== b.score ? b.score - a.score : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
    );
    ranked.forEach((d, i) => {
      if (/\s/.test(d.id))
        throw new RagloomError('INVALID_ARGUMENT', `document id "${d.id}" contains whitespace`);
      lines.push(`${queryId} Q0 ${d.id} ${i + 1} ${d.score} ${tag}`);
    });
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

/** Writes a run file atomically. */
export async function writeTrecRun(
  path: string,
  run: ReadonlyMap<string, readonly RankedDocument[]>,
  tag?: string,
): Promise<void> {
  await writeFileAtomic(path, formatTrecRun(run, tag));
}
