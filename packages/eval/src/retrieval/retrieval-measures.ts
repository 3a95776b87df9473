import { RagloomError } from '@ragloom/core';

/** The measure families, named as users know them; trec_eval names in the comments. */
export type MeasureFamily =
  | 'ndcg' // ndcg_cut.k (ndcg without k)
  | 'recall' // recall.k
  | 'precision' // P.k
  | 'hit' // success.k
  | 'mrr' // recip_rank on the top k (recip_rank without k)
  | 'map'; // map_cut.k (map without k)

/** A measure: a family and an optional cutoff k (none = the whole ranking). */
export interface Measure {
  readonly family: MeasureFamily;
  readonly k?: number;
}

/** A measure as `'ndcg@10'`, a trec_eval name (`'ndcg_cut.10'`, `'P_5'`, `'recip_rank'`) or an object. */
export type MeasureInput = string | Measure;

const FAMILY_ALIASES: Readonly<Record<string, MeasureFamily>> = {
  ndcg: 'ndcg',
  ndcg_cut: 'ndcg',
  recall: 'recall',
  r: 'recall',
  precision: 'precision',
  p: 'precision',
  hit: 'hit',
  hits: 'hit',
  success: 'hit',
  mrr: 'mrr',
  recip_rank: 'mrr',
  rr: 'mrr',
  map: 'map',
  map_cut: 'map',
  ap: 'map',
};

// Families that have no uncut form in trec_eval (P, recall and success need a cutoff).
const NEEDS_CUTOFF = new Set<MeasureFamily>(['precision', 'recall', 'hit']);

/** Parses a measure name. `@k`, `_k` and `.k` all give the cutoff; names are case-insensitive. */
export function parseMeasure(input: MeasureInput): Measure {
  if (typeof input === 'object' && input !== null) return checkMeasure(input, JSON.stringify(input));
  if (typeof input !== 'string') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `a measure must be a string or { family, k }, got ${typeof input}`,
    );
  }
  const match = /^([a-z_]+?)(?:[@._](\d+))?$/i.exec(input.trim());
  const family = match ? FAMILY_ALIASES[match[1]!.toLowerCase()] : undefined;
  if (!match || family === undefined) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `unknown measure "${input}"; expected one of ndcg@k, recall@k, precision@k (P@k), hit@k (success@k), mrr@k, map@k, or a trec_eval name such as ndcg_cut.10`,
      { details: { measure: input } },
    );
  }
  return checkMeasure(match[2] === undefined ? { family } : { family, k: Number(match[2]) }, input);
}

function checkMeasure(measure: Measure, source: string): Measure {
  if (!(measure.family in { ndcg: 1, recall: 1, precision: 1, hit: 1, mrr: 1, map: 1 })) {
    throw new RagloomError('INVALID_ARGUMENT', `unknown measure family in ${source}`);
  }
  if (measure.k !== undefined && (!Number.isInteger(measure.k) || measure.k < 1)) {
    throw new RagloomError('INVALID_ARGUMENT', `measure ${source}: the cutoff must be a positive integer`);
  }
  if (measure.k === undefined && NEEDS_CUTOFF.has(measure.family)) {
    throw new RagloomError('INVALID_ARGUMENT', `measure ${source} needs a cutoff, e.g. ${measure.family}@10`);
  }
  return measure.k === undefined ? { family: measure.family } : { family: measure.family, k: measure.k };
}

/** The canonical name used as a key in results: `ndcg@10`, `mrr`, `precision@5`, ... */
export function measureName(measure: Measure): string {
  return measure.k === undefined ? measure.family : `${measure.family}@${measure.k}`;
}

/**
 * The name trec_eval prints for a measure (`ndcg_cut_10`, `P_5`, `recip_rank`, `success_1`, ...), or
 * undefined for MRR with a cutoff, which trec_eval does not have (its recip_rank looks at the whole run).
 */
export function trecMeasureName(measure: MeasureInput): string | undefined {
  const m = parseMeasure(measure);
  switch (m.family) {
    case 'ndcg':
      return m.k === undefined ? 'ndcg' : `ndcg_cut_${m.k}`;
    case 'map':
      return m.k === undefined ? 'map' : `map_cut_${m.k}`;
    case 'mrr':
      return m.k === undefined ? 'recip_rank' : undefined;
    case 'precision':
      return `P_${m.k}`;
    case 'recall':
      return `recall_${m.k}`;
    case 'hit':
      return `success_${m.k}`;
  }
}

/** What users usually report: nDCG@10, Recall@100, MRR@10 (BEIR's headline numbers). */
export const DEFAULT_MEASURES: readonly string[] = [
  'ndcg@1',
  'ndcg@3',
  'ndcg@5',
  'ndcg@10',
  'ndcg@100',
  'recall@1',
  'recall@5',
  'recall@10',
  'recall@100',
  'precision@1',
  'precision@5',
  'precision@10',
  'mrr@10',
  'map@10',
  'map@100',
  'hit@1',
  'hit@5',
  'hit@10',
];
