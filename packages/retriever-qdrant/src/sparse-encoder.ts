import { RagloomError, simpleTokenize } from '@ragloom/core';

/** A sparse vector in Qdrant's shape: parallel lists of dimension indices (u32) and weights. */
export interface SparseVector {
  readonly indices: number[];
  readonly values: number[];
}

/**
 * Turns text into sparse vectors for Qdrant's sparse index (hybrid search). Structural: plug in
 * your own (SPLADE, a BM25 with another analyzer) as long as it is deterministic.
 */
export interface SparseEncoder {
  /** Identifies the analyzer + weighting; stored with the collection and checked on open. */
  readonly id: string;
  /**
   * `idf` asks Qdrant to multiply query weights by each dimension's inverse document frequency
   * over the collection (what makes term-frequency vectors score like BM25); `none` uses the
   * weights as they are.
   */
  readonly modifier: 'idf' | 'none';
  encodeDocuments(texts: readonly string[]): SparseVector[] | Promise<SparseVector[]>;
  encodeQuery(text: string): SparseVector | Promise<SparseVector>;
}

export interface Bm25SparseEncoderOptions {
  /** Term-frequency saturation (default 1.2). */
  readonly k1?: number;
  /** Length normalisation (default 0.75). */
  readonly b?: number;
  /**
   * The average document length in tokens that `b` normalises against (default 256, as FastEmbed's
   * Qdrant/bm25). A sparse index cannot know the corpus average while ingesting, so it is fixed.
   */
  readonly averageDocumentLength?: number;
  /** Text → terms (default: core's CJK-aware `simpleTokenize`; CJK characters are single terms). */
  readonly tokenize?: (text: string) => string[];
  /** Names a custom tokenizer in the encoder id, so collections built with another one are refused. */
  readonly tokenizerId?: string;
}

/** FNV-1a, 32 bit, over UTF-8: a stable term → dimension map that needs no vocabulary. */
export function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

function termCounts(terms: readonly string[]): Map<number, number> {
  // Hash collisions merge into one dimension: Qdrant rejects duplicate indices in a sparse vector.
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = fnv1a32(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

function toSparse(weights: Map<number, number>): SparseVector {
  const indices = [...weights.keys()].sort((a, b) => a - b);
  return { indices, values: indices.map((i) => weights.get(i)!) };
}

/**
 * BM25-style sparse vectors for Qdrant's `idf` modifier, the scheme of FastEmbed's `Qdrant/bm25`:
 * a document term weighs tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)); a query term weighs 1; Qdrant
 * multiplies by IDF at query time, so score(q, d) = Σ_{t∈q∩d} IDF(t)·BM25-tf(t, d). Terms are hashed
 * with FNV-1a (32 bit) to sparse dimensions.
 */
export function createBm25SparseEncoder(options: Bm25SparseEncoderOptions = {}): SparseEncoder {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const averageDocumentLength = options.averageDocumentLength ?? 256;
  if (!Number.isFinite(k1) || k1 < 0)
    throw new RagloomError('INVALID_ARGUMENT', `BM25 k1 must be >= 0, got ${k1}`);
  if (!Number.isFinite(b) || b < 0 || b > 1) {
    throw new RagloomError('INVALID_ARGUMENT', `BM25 b must be within [0, 1], got ${b}`);
  }
  if (!Number.isFinite(averageDocumentLength) || averageDocumentLength <= 0) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `BM25 averageDocumentLength must be > 0, got ${averageDocumentLength}`,
    );
  }
  const tokenize = options.tokenize ?? simpleTokenize;
  const tokenizerId = options.tokenizerId ?? (options.tokenize ? 'custom' : 'ragloom-simple-v1');
  return {
    id: `bm25(tokenizer=${tokenizerId},hash=fnv1a32,k1=${k1},b=${b},avgdl=${averageDocumentLength})`,
    modifier: 'idf',
    encodeDocuments(texts) {
      return texts.map((text) => {
        const terms = tokenize(text);
        const norm = k1 * (1 - b + (b * terms.length) / averageDocumentLength);
        const weights = new Map<number, number>();
        for (const [index, tf] of termCounts(terms)) weights.set(index, (tf * (k1 + 1)) / (tf + norm));
        return toSparse(weights);
      });
    },
    encodeQuery(text) {
      const weights = new Map<number, number>();
      for (const index of termCounts(tokenize(text)).keys()) weights.set(index, 1);
      return toSparse(weights);
    },
  };
}
