import type { SyncChunkerV1 } from '../spec/chunker-v1.js';
import { assertDocument, buildChunks } from './build-chunks.js';
import { type ChunkSizeOptions, resolveSizeOptions } from './chunk-options.js';
import { mergeSpans, splitToFit } from './merge-spans.js';

/** Paragraphs, lines, then sentence ends (Latin and CJK), clauses, words, characters. */
export const DEFAULT_SEPARATORS: readonly string[] = [
  '\n\n',
  '\n',
  '。',
  '！',
  '？',
  '. ',
  '! ',
  '? ',
  '；',
  '; ',
  '，',
  ', ',
  ' ',
  '',
];

export interface RecursiveChunkerOptions extends ChunkSizeOptions {
  /** Tried in order; a piece still too large is split by the next one. '' = characters. */
  readonly separators?: readonly string[];
}

/**
 * Size-based chunking: splits on the coarsest separator that makes pieces fit, then packs pieces
 * into chunks of at most `chunkSize` (characters, or tokens with a `lengthFunction`) with
 * `chunkOverlap`. Offsets point into the source: `text.slice(start, end) === chunk.text`.
 */
export function createRecursiveChunker(options: RecursiveChunkerOptions = {}): SyncChunkerV1 {
  const size = resolveSizeOptions(options);
  const separators = options.separators ?? DEFAULT_SEPARATORS;
  return {
    specificationVersion: 'v1',
    name: 'recursive',
    chunk(document) {
      assertDocument(document);
      const { text } = document;
      const pieces = splitToFit(text, { start: 0, end: text.length }, separators, size);
      return buildChunks(document, mergeSpans(text, pieces, size));
    },
  };
}
