import { RagloomError } from '@ragloom/core';

/** A passage given to or retrieved by a RAG system: an id (chunk id, or its document's id) and/or its text. */
export interface ContextPassage {
  readonly id?: string;
  /** The source document of a chunk; a chunk of a gold document counts as gold. */
  readonly documentId?: string;
  readonly text?: string;
}

export interface ContextMatchOptions {
  /**
   * How a retrieved passage is matched to a gold one. 'id': same id, or the chunk's documentId is the
   * gold id. 'text': one text contains the other after whitespace/case normalisation (chunks inside a
   * gold paragraph, or a gold sentence inside a bigger chunk). 'auto' (default): ids when both sides
   * have them, else text.
   */
  readonly match?: 'id' | 'text' | 'auto';
}

export interface ContextScores {
  /** Share of the retrieved passages that are gold (0 when nothing was retrieved). */
  readonly precision: number;
  /** Share of the gold passages that were retrieved. */
  readonly recall: number;
  /**
   * Rank-aware context precision (RAGAS-style): mean of precision@i over the ranks i that hold a gold
   * passage; 1 when every gold hit is ranked above every other passage.
   */
  readonly averagePrecision: number;
  /** For each retrieved passage, in rank order, whether it matched a gold passage. */
  readonly relevant: readonly boolean[];
}

const normalizeText = (text: string) => text.normalize('NFKC').toLowerCase().replace(/\s+/gu, ' ').trim();

function matcher(options: ContextMatchOptions) {
  const mode = options.match ?? 'auto';
  if (mode !== 'id' && mode !== 'text' && mode !== 'auto') {
    throw new RagloomError('INVALID_ARGUMENT', `match must be 'id', 'text' or 'auto', got ${String(mode)}`);
  }
  return (retrieved: ContextPassage, gold: ContextPassage): boolean => {
    const byId =
      mode === 'id' ||
      (mode === 'auto' && gold.id !== undefined && (retrieved.id ?? retrieved.documentId) !== undefined);
    if (byId) {
      if (gold.id === undefined) return false;
      return retrieved.id === gold.id || retrieved.documentId === gold.id;
    }
    if (retrieved.text === undefined || gold.text === undefined) return false;
    const r = normalizeText(retrieved.text);
    const g = normalizeText(gold.text);
    return r.length > 0 && g.length > 0 && (r.includes(g) || g.includes(r));
  };
}

/** Context precision, recall and rank-aware precision of retrieved passages against the gold passages. */
export function contextScores(
  retrieved: readonly ContextPassage[],
  gold: readonly ContextPassage[],
  options: ContextMatchOptions = {},
): ContextScores {
  if (!Array.isArray(retrieved) || !Array.isArray(gold)) {
    throw new RagloomError('INVALID_ARGUMENT', 'context scores need arrays of retrieved and gold passages');
  }
  const matches = matcher(options);
  const relevant = retrieved.map((r) => gold.some((g) => matches(r, g)));
  const found = gold.filter((g) => retrieved.some((r) => matches(r, g))).length;
  let hits = 0;
  let precisionSum = 0;
  relevant.forEach((isRelevant, i) => {
    if (isRelevant) {
      hits++;
      precisionSum += hits / (i + 1);
    }
  });
  return {
    precision: retrieved.length === 0 ? 0 : hits / retrieved.length,
    recall: gold.length === 0 ? 0 : found / gold.length,
    averagePrecision: hits === 0 ? 0 : precisionSum / hits,
    relevant,
  };
}
