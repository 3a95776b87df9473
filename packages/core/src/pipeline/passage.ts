import type { SearchHit } from '../spec/retriever-v1.js';
import type { Metadata } from '../spec/shared-types.js';

/**
 * Metadata keys the pipeline writes on every chunk record so hits can be traced back to their
 * source text: the document id, the chunk's position and its UTF-16 offsets in the document.
 */
export const CHUNK_METADATA_KEYS = ['documentId', 'chunkIndex', 'start', 'end'] as const;

/** A retrieved chunk, with where it came from. */
export interface RetrievedPassage extends SearchHit {
  readonly documentId: string;
  readonly chunkIndex?: number;
  readonly start?: number;
  readonly end?: number;
  /** Score given by the reranker, when one ran (then `score` equals it). */
  readonly rerankScore?: number;
  /** Per-retriever ranks and scores before fusion. */
  readonly sources?: readonly { readonly retriever: string; readonly rank: number; readonly score: number }[];
}

/** A passage an answer cites: its number in the prompt, and the exact span of source text. */
export interface Citation {
  /** The [n] the answer uses. */
  readonly number: number;
  readonly chunkId: string;
  readonly documentId: string;
  /** UTF-16 offsets into the source document (the sentence quoted, for extractive answers). */
  readonly start?: number;
  readonly end?: number;
  readonly text: string;
  readonly metadata: Metadata;
}

export function toPassage(hit: SearchHit): RetrievedPassage {
  const m = hit.metadata;
  const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
  return {
    ...hit,
    documentId: typeof m.documentId === 'string' ? m.documentId : hit.id,
    chunkIndex: num(m.chunkIndex),
    start: num(m.start),
    end: num(m.end),
  };
}

export function citationFor(number: number, passage: RetrievedPassage): Citation {
  return {
    number,
    chunkId: passage.id,
    documentId: passage.documentId,
    start: passage.start,
    end: passage.end,
    text: passage.text,
    metadata: passage.metadata,
  };
}
