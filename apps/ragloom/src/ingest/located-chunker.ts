import type { Chunk, ChunkerV1, Document } from '@ragloom/core';
import type { LoadedDocument } from '../loaders/loaded-document.js';

/**
 * Wraps a chunker so every chunk records where it sits in its source file: `line` and `endLine`
 * (1-based), and `page` for PDFs. Citations later add the newlines inside the chunk to reach the exact line.
 */
export function createLocatedChunker(
  inner: ChunkerV1,
  locate: (documentId: string) => LoadedDocument | undefined,
): ChunkerV1 {
  return {
    specificationVersion: 'v1',
    name: `${inner.name}+lines`,
    async chunk(document: Document): Promise<Chunk[]> {
      const chunks = await inner.chunk(document);
      const loaded = locate(document.id);
      if (!loaded) return chunks;
      return chunks.map((chunk) => ({
        ...chunk,
        metadata: {
          ...chunk.metadata,
          line: loaded.lineAt(chunk.start),
          endLine: loaded.lineAt(Math.max(chunk.start, chunk.end - 1)),
          ...(loaded.pageAt ? { page: loaded.pageAt(chunk.start) } : {}),
        },
      }));
    },
  };
}
