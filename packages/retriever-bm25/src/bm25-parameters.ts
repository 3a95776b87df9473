import { RagloomError } from '@ragloom/core';

/** BM25's term-frequency saturation `k1` and length normalisation `b`. */
export interface Bm25Parameters {
  readonly k1: number;
  readonly b: number;
}

/**
 * Named settings:
 * - 'anserini': k1 0.9, b 0.4, the defaults of Anserini/Pyserini and the BEIR BM25 baselines (our default);
 * - 'lucene': k1 1.2, b 0.75, the defaults of Lucene's BM25Similarity (and Elasticsearch, OpenSearch).
 */
export const BM25_PRESETS = {
  anserini: { k1: 0.9, b: 0.4 },
  lucene: { k1: 1.2, b: 0.75 },
} as const satisfies Record<string, Bm25Parameters>;

export type Bm25Preset = keyof typeof BM25_PRESETS;

/** Resolves a preset plus explicit k1/b (explicit values win) and checks their ranges. */
export function resolveBm25Parameters(
  options: { readonly preset?: Bm25Preset; readonly k1?: number; readonly b?: number },
  fallback: Bm25Parameters = BM25_PRESETS.anserini,
): Bm25Parameters {
  let base = fallback;
  if (options.preset !== undefined) {
    const preset = (BM25_PRESETS as Record<string, Bm25Parameters>)[options.preset];
    if (preset === undefined) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `unknown BM25 preset "${String(options.preset)}"; expected ${Object.keys(BM25_PRESETS).join(' or ')}`,
      );
    }
    base = preset;
  }
  const k1 = options.k1 ?? base.k1;
  const b = options.b ?? base.b;
  if (typeof k1 !== 'number' || !Number.isFinite(k1) || k1 < 0) {
    throw new RagloomError('INVALID_ARGUMENT', `k1 must be a finite number >= 0, got ${String(k1)}`);
  }
  if (typeof b !== 'number' || !Number.isFinite(b) || b < 0 || b > 1) {
    throw new RagloomError('INVALID_ARGUMENT', `b must be a number between 0 and 1, got ${String(b)}`);
  }
  return { k1, b };
}
