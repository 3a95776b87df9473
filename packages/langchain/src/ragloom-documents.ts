import type { DocumentInterface } from '@langchain/core/documents';
import { Document } from '@langchain/core/documents';
import {
  type Citation,
  formatPassages,
  type Metadata,
  parseCitations,
  type RetrievedPassage,
} from '@ragloom/core';

/** What ragloom adds to each Document's metadata (beside the chunk's own metadata, which is kept as is). */
export interface RagloomDocumentMetadata {
  /** The passage's rank, 1-based: the `[n]` an answer cites it by. */
  readonly number: number;
  readonly chunkId: string;
  readonly documentId: string;
  /** The chunk's file or URL (`source` metadata), else the document id. */
  readonly source: string;
  readonly score: number;
  readonly chunkIndex?: number;
  /** UTF-16 offsets of the chunk in its document. */
  readonly start?: number;
  readonly end?: number;
  readonly rerankScore?: number;
  /** Per-retriever ranks and scores before fusion (hybrid search). */
  readonly retrievers?: readonly {
    readonly retriever: string;
    readonly rank: number;
    readonly score: number;
  }[];
}

/** A Document's metadata: the chunk's own fields (ragloom metadata values) and `ragloom`. */
export interface RagloomDocumentFields {
  readonly [key: string]: unknown;
  readonly ragloom: RagloomDocumentMetadata;
}

export type RagloomDocument = DocumentInterface<RagloomDocumentFields>;

function sourceOf(passage: RetrievedPassage): string {
  const source = passage.metadata.source ?? passage.metadata.path ?? passage.metadata.url;
  return typeof source === 'string' && source !== '' ? source : passage.documentId;
}

/** A retrieved passage as a LangChain Document: the text, the chunk's metadata, and ragloom's under `ragloom`. */
export function passageToDocument(passage: RetrievedPassage, index: number): RagloomDocument {
  const ragloom: RagloomDocumentMetadata = {
    number: index + 1,
    chunkId: passage.id,
    documentId: passage.documentId,
    source: sourceOf(passage),
    score: passage.score,
    ...(passage.chunkIndex !== undefined ? { chunkIndex: passage.chunkIndex } : {}),
    ...(passage.start !== undefined ? { start: passage.start } : {}),
    ...(passage.end !== undefined ? { end: passage.end } : {}),
    ...(passage.rerankScore !== undefined ? { rerankScore: passage.rerankScore } : {}),
    ...(passage.sources ? { retrievers: passage.sources } : {}),
  };
  const metadata: RagloomDocumentFields = { ...passage.metadata, ragloom };
  return new Document({ pageContent: passage.text, metadata, id: passage.id });
}

const ragloomOf = (document: DocumentInterface): RagloomDocumentMetadata | undefined => {
  const value = (document.metadata as { ragloom?: RagloomDocumentMetadata } | undefined)?.ragloom;
  return typeof value === 'object' && value !== null ? value : undefined;
};

/**
 * Documents as the numbered context of a RAG prompt (`[1] (source: docs/a.md)\n...`), the same format ragloom's
 * own prompt uses, so `citationsFromAnswer` can map the answer's `[n]` back to them.
 */
export function formatDocumentsAsContext(documents: readonly DocumentInterface[]): string {
  return formatPassages(
    documents.map((d) => {
      const source = ragloomOf(d)?.source;
      return source ? { text: d.pageContent, source } : { text: d.pageContent };
    }),
  );
}

/** The `[n]` citations of an answer, as ragloom citations of the documents it was given (in that order). */
export function citationsFromAnswer(answer: string, documents: readonly DocumentInterface[]): Citation[] {
  return parseCitations(answer, documents.length).map((number) => {
    const document = documents[number - 1]!;
    const ragloom = ragloomOf(document);
    const { ragloom: _ragloom, ...metadata } = (document.metadata ?? {}) as Record<string, unknown>;
    return {
      number,
      chunkId: ragloom?.chunkId ?? document.id ?? String(number),
      documentId: ragloom?.documentId ?? document.id ?? String(number),
      start: ragloom?.start,
      end: ragloom?.end,
      text: document.pageContent,
      metadata: metadata as Metadata,
    };
  });
}
