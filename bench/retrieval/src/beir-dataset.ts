import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BeirDocument {
  readonly id: string;
  readonly title: string;
  readonly text: string;
}

export interface BeirDataset {
  readonly corpus: readonly BeirDocument[];
  /** Query id → text, for the queries that have judgments in the split. */
  readonly queries: ReadonlyMap<string, string>;
  /** Query id → (document id → grade). */
  readonly qrels: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

async function readJsonLines(path: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(path, 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Reads a dataset in BEIR layout: corpus.jsonl, queries.jsonl, qrels/<split>.tsv (with a header line). */
export async function loadBeirDataset(folder: string, split = 'test'): Promise<BeirDataset> {
  const corpus = (await readJsonLines(join(folder, 'corpus.jsonl'))).map((d) => ({
    id: String(d._id),
    title: typeof d.title === 'string' ? d.title : '',
    text: String(d.text ?? ''),
  }));
  const qrels = new Map<string, Map<string, number>>();
  const lines = (await readFile(join(folder, 'qrels', `${split}.tsv`), 'utf8')).split('\n').slice(1);
  for (const line of lines) {
    if (line.trim().length === 0) continue;
    const [queryId, documentId, grade] = line.split('\t');
    if (queryId === undefined || documentId === undefined) continue;
    const judged = qrels.get(queryId) ?? new Map<string, number>();
    qrels.set(queryId, judged);
    judged.set(documentId, Number(grade ?? 1));
  }
  const queries = new Map<string, string>();
  for (const q of await readJsonLines(join(folder, 'queries.jsonl'))) {
    const id = String(q._id);
    if (qrels.has(id)) queries.set(id, String(q.text));
  }
  return { corpus, queries, qrels };
}

/** Title and text joined as Pyserini's BEIR "flat" indexes do (one field, title first). */
export function titleAndText(document: BeirDocument): string {
  return document.title ? `${document.title}\n${document.text}` : document.text;
}

/**
 * A smaller corpus for smoke runs: every judged document plus the first `others` unjudged ones. Scores
 * on it are higher than on the full corpus and must not be compared with published figures.
 */
export function judgedSubset(data: BeirDataset, others: number): BeirDataset {
  const judged = new Set<string>();
  for (const grades of data.qrels.values()) for (const id of grades.keys()) judged.add(id);
  let extra = 0;
  const corpus = data.corpus.filter((d) => judged.has(d.id) || extra++ < others);
  return { ...data, corpus };
}
