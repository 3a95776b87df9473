import type { SyncChunkerV1 } from '../spec/chunker-v1.js';
import { assertDocument, buildChunks } from './build-chunks.js';
import { type ChunkSizeOptions, resolveSizeOptions } from './chunk-options.js';
import { mergeSpans, splitToFit } from './merge-spans.js';
import { DEFAULT_SEPARATORS } from './recursive-chunker.js';
import { splitSentences } from './split-sentences.js';

export type SentenceChunkerOptions = ChunkSizeOptions;

/**
 * Packs whole sentences (English and CJK punctuation, see splitSentences) into chunks of at most
 * `chunkSize`; overlap repeats whole trailing sentences. A sentence longer than chunkSize is split
 * at clauses/words as a last resort.
 */
export function createSentenceChunker(options: SentenceChunkerOptions = {}): SyncChunkerV1 {
  const size = resolveSizeOptions(options);
  return {
    specificationVersion: 'v1',
    name: 'sentence',
    chunk(document) {
      assertDocument(document);
      const { text } = document;
      const pieces = splitSentences(text).flatMap((s) =>
        splitToFit(text, s, DEFAULT_SEPARATORS.slice(2), size),
      );
      return buildChunks(document, mergeSpans(text, pieces, size));
    },
  };
}
