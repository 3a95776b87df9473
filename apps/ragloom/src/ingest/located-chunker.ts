import type { Chunk, ChunkerV1, Document } from '@ragloom/core';
import type { LoadedDocument } from '../loaders/loaded-document.js';

/**
 * Where `at(offset)` changes inside [start, end): flat pairs [offset − start, value, …], the first pair at 0.
 * Stored on chunks whose lines (HTML) or pages (PDF) are not "the chunk's first line plus its newlines", so a
 * citation can name the quoted sentence's own line or page.
 */
export function changeMarks(start: number, end: number, at: (offset: number) => number): number[] {
  const marks: number[] = [];
  let last: number | undefined;
  for (let offset = start; offset < Math.max(end, start + 1); offset++) {
    const value = at(offset);
    if (value !== last) marks.push(offset - start, value);
    last = value;
  }
  return marks;
}

/**
 * Wraps a chunker so every chunk records where it sits in its source file: `line` and `endLine`
 * (1-based), and `page` for PDFs. Markdown and text citations add the newlines inside the chunk to reach
 * the exact line; HTML chunks also keep `lineMarks` and PDF chunks `pageMarks` (see `changeMarks`).
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
      const type = loaded.document.metadata?.type;
      const html = type === 'html' || type === 'docx';
      return chunks.map((chunk) => ({
        ...chunk,
        metadata: {
          ...chunk.metadata,
          line: loaded.lineAt(chunk.start),
          endLine: loaded.lineAt(Math.max(chunk.start, chunk.end - 1)),
          ...(html ? { lineMarks: changeMarks(chunk.start, chunk.end, loaded.lineAt) } : {}),
          ...(loaded.pageAt
            ? {
                page: loaded.pageAt(chunk.start),
                pageMarks: changeMarks(chunk.start, chunk.end, loaded.pageAt),
              }
            : {}),
        },
      }));
    },
  };
}
