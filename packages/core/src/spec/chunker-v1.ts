import type { Chunk, Document, SpecificationVersion } from './shared-types.js';

/**
 * Chunker v1: splits a document into chunks with offsets back into the source, so that
 * `document.text.slice(chunk.start, chunk.end) === chunk.text` for every chunk.
 */
export interface ChunkerV1 {
  readonly specificationVersion: SpecificationVersion;
  /** A short name, e.g. 'recursive', 'sentence', 'markdown'. */
  readonly name: string;
  chunk(document: Document): Chunk[] | Promise<Chunk[]>;
}

/** A chunker that works synchronously (all of core's chunkers): still a ChunkerV1. */
export interface SyncChunkerV1 extends ChunkerV1 {
  chunk(document: Document): Chunk[];
}
