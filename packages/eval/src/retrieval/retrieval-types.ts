import { RagloomError } from '@ragloom/core';

/**
 * Graded relevance judgments: query id → document id → grade (an integer; ≥ 1 is relevant by
 * default, 0 judged non-relevant, < 0 "in the pool but unjudged" as in trec_eval). A Map, or a
 * plain object as pytrec_eval and BEIR use.
 */
export type Qrels =
  | ReadonlyMap<string, ReadonlyMap<string, number>>
  | Readonly<Record<string, Readonly<Record<string, number>>>>;

/** One ranked document of a run. */
export interface RankedDocument {
  readonly id: string;
  readonly score: number;
}

/**
 * What a retrieval system returned per query: document scores (`{ docId: score }`, as pytrec_eval
 * takes) or a ranked list of `{ id, score }` (hits as retrievers return them).
 */
export type RunQuery =
  | ReadonlyMap<string, number>
  | Readonly<Record<string, number>>
  | readonly RankedDocument[];
export type Run = ReadonlyMap<string, RunQuery> | Readonly<Record<string, RunQuery>>;

/** Normalised qrels: grades per document, plus the query order of the input. */
export type QrelsMap = ReadonlyMap<string, ReadonlyMap<string, number>>;

function entriesOf<V>(source: ReadonlyMap<string, V> | Readonly<Record<string, V>>): [string, V][] {
  return source instanceof Map ? [...source.entries()] : Object.entries(source);
}

/** Validates and copies qrels into Maps: grades must be integers (trec_eval reads them as such). */
export function toQrelsMap(qrels: Qrels): QrelsMap {
  if (typeof qrels !== 'object' || qrels === null) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'qrels must be a Map or an object of query id → { doc id: grade }',
    );
  }
  const out = new Map<string, Map<string, number>>();
  const queries: [string, unknown][] =
    qrels instanceof Map ? [...qrels.entries()] : Object.entries(qrels as Record<string, unknown>);
  for (const [queryId, judgments] of queries) {
    if (typeof judgments !== 'object' || judgments === null) {
      throw new RagloomError('INVALID_ARGUMENT', `qrels["${queryId}"] must map document ids to grades`, {
        details: { queryId },
      });
    }
    const grades = new Map<string, number>();
    for (const [docId, grade] of entriesOf(judgments as ReadonlyMap<string, number>)) {
      if (typeof grade !== 'number' || !Number.isInteger(grade)) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `qrels["${queryId}"]["${docId}"] must be an integer grade, got ${String(grade)}`,
          { details: { queryId, docId } },
        );
      }
      grades.set(docId, grade);
    }
    out.set(queryId, grades);
  }
  return out;
}

/** The documents of one run query as `{ id, score }` in input order; rejects duplicates and non-finite scores. */
export function rankedDocumentsOf(queryId: string, query: RunQuery): RankedDocument[] {
  const docs: RankedDocument[] = Array.isArray(query)
    ? (query as readonly RankedDocument[]).map((d, i) => {
        if (typeof d !== 'object' || d === null || typeof d.id !== 'string') {
          throw new RagloomError(
            'INVALID_ARGUMENT',
            `run["${queryId}"][${i}] must be { id: string, score: number }`,
            {
              details: { queryId, index: i },
            },
          );
        }
        return { id: d.id, score: d.score };
      })
    : entriesOf(query as ReadonlyMap<string, number>).map(([id, score]) => ({ id, score }));
  const seen = new Set<string>();
  for (const d of docs) {
    if (typeof d.score !== 'number' || Number.isNaN(d.score)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `run["${queryId}"]: document "${d.id}" has no numeric score`,
        {
          details: { queryId, docId: d.id },
        },
      );
    }
    if (seen.has(d.id)) {
      // trec_eval refuses this too ("duplicate docs"): a ranking cannot hold a document twice.
      throw new RagloomError('INVALID_ARGUMENT', `run["${queryId}"] lists document "${d.id}" twice`, {
        details: { queryId, docId: d.id },
      });
    }
    seen.add(d.id);
  }
  return docs;
}

export function runEntries(run: Run): [string, RunQuery][] {
  if (typeof run !== 'object' || run === null) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'run must be a Map or an object of query id → ranked documents',
    );
  }
  return entriesOf(run);
}
