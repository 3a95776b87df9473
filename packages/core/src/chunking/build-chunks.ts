import { RagloomError } from '../errors/ragloom-error.js';
import type { Chunk, Document, Metadata } from '../spec/shared-types.js';
import type { Span } from './text-spans.js';

export function assertDocument(document: Document): void {
  if (typeof document !== 'object' || document === null) {
    throw new RagloomError('INVALID_ARGUMENT', 'chunk() expects a document object { id, text, metadata? }');
  }
  if (typeof document.id !== 'string' || document.id.length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', 'document.id must be a non-empty string');
  }
  if (typeof document.text !== 'string') {
    throw new RagloomError('INVALID_ARGUMENT', `document.text must be a string (document "${document.id}")`);
  }
}

/** Turns spans into Chunk objects: ids `${documentId}#${index}`, text sliced from the source. */
export function buildChunks(document: Document, spans: readonly (Span & { metadata?: Metadata })[]): Chunk[] {
  return spans.map((span, index) => ({
    id: `${document.id}#${index}`,
    documentId: document.id,
    index,
    text: document.text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
    metadata: { ...document.metadata, ...span.metadata },
  }));
}
