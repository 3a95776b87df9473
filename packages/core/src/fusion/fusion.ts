import { RagloomError } from '../errors/ragloom-error.js';
import { compareHits } from '../retriever/retriever-validation.js';
import type { SearchHit } from '../spec/retriever-v1.js';

/** A fused hit remembers where it came from: list index, 1-based rank and original score. */
export interface FusedHit extends SearchHit {
  readonly sources: readonly { readonly list: number; readonly rank: number; readonly score: number }[];
}

export interface FusionOptions {
  /** One weight per list (default 1 each). */
  readonly weights?: readonly number[];
  /** Keep the best `limit` (default: all). */
  readonly limit?: number;
}

function weightsFor(lists: readonly unknown[], weights: readonly number[] | undefined): readonly number[] {
  if (weights === undefined) return lists.map(() => 1);
  if (weights.length !== lists.length || weights.some((w) => !Number.isFinite(w) || w < 0)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `fusion needs one finite, non-negative weight per list (${lists.length} lists, ${weights.length} weights)`,
    );
  }
  return weights;
}

function fuse(
  lists: readonly (readonly SearchHit[])[],
  contribution: (listIndex: number, rank: number, hit: SearchHit) => number,
  limit: number | undefined,
): FusedHit[] {
  const byId = new Map<string, { hit: SearchHit; score: number; sources: FusedHit['sources'][number][] }>();
  lists.forEach((hits, list) => {
    hits.forEach((hit, i) => {
      const rank = i + 1;
      const entry = byId.get(hit.id);
      const add = contribution(list, rank, hit);
      if (entry) {
        entry.score += add;
        entry.sources.push({ list, rank, score: hit.score });
      } else {
        byId.set(hit.id, { hit, score: add, sources: [{ list, rank, score: hit.score }] });
      }
    });
  });
  const fused: FusedHit[] = [...byId.values()].map(({ hit, score, sources }) => ({
    id: hit.id,
    score,
    text: hit.text,
    metadata: hit.metadata,
    sources,
  }));
  fused.sort(compareHits);
  return limit === undefined ? fused : fused.slice(0, limit);
}

/**
 * Reciprocal rank fusion (Cormack et al., 2009): score(d) = Σ_lists w / (k + rank(d)), rank 1-based.
 * Scores of the input lists are ignored, so lists on different scales (BM25, cosine) combine safely.
 */
export function reciprocalRankFusion(
  lists: readonly (readonly SearchHit[])[],
  options: FusionOptions & { readonly k?: number } = {},
): FusedHit[] {
  const k = options.k ?? 60;
  if (!Number.isFinite(k) || k < 0)
    throw new RagloomError('INVALID_ARGUMENT', `RRF k must be >= 0, got ${k}`);
  const weights = weightsFor(lists, options.weights);
  return fuse(lists, (list, rank) => weights[list]! / (k + rank), options.limit);
}

export type ScoreNormalization = 'min-max' | 'z-score' | 'none';

/**
 * Weighted score fusion: each list's scores are normalised (min-max by default, so BM25 and cosine
 * share a 0..1 scale), multiplied by the list's weight and summed per id. A hit missing from a list
 * gets nothing from it.
 */
export function weightedScoreFusion(
  lists: readonly (readonly SearchHit[])[],
  options: FusionOptions & { readonly normalization?: ScoreNormalization } = {},
): FusedHit[] {
  const weights = weightsFor(lists, options.weights);
  const normalization = options.normalization ?? 'min-max';
  const normalizers = lists.map((hits) => {
    if (normalization === 'none' || hits.length === 0) return (s: number) => s;
    const scores = hits.map((h) => h.score);
    if (normalization === 'min-max') {
      const min = Math.min(...scores);
      const span = Math.max(...scores) - min;
      return span === 0 ? () => 1 : (s: number) => (s - min) / span;
    }
    const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
    const sd = Math.sqrt(scores.reduce((a, b) => a + (b - mean) ** 2, 0) / scores.length);
    return sd === 0 ? () => 0 : (s: number) => (s - mean) / sd;
  });
  return fuse(lists, (list, _rank, hit) => weights[list]! * normalizers[list]!(hit.score), options.limit);
}
