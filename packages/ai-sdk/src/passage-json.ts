import type { Citation, Metadata, RetrievedPassage } from '@ragloom/core';

/** Where a chunk came from: the `source` metadata ingest records (a file), else the document id. */
export function sourceOf(metadata: Metadata, documentId: string): string {
  const source = metadata.source ?? metadata.path ?? metadata.url;
  return typeof source === 'string' && source !== '' ? source : documentId;
}

const integer = (value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) ? value : undefined;

/** Lines or page, when ingest recorded them (the ragloom app does: `line`, `endLine`, `page`). */
export function locationOf(metadata: Metadata): { line?: number; endLine?: number; page?: number } {
  const out: { line?: number; endLine?: number; page?: number } = {};
  const line = integer(metadata.line);
  const endLine = integer(metadata.endLine);
  const page = integer(metadata.page);
  if (line !== undefined) out.line = line;
  if (endLine !== undefined) out.endLine = endLine;
  if (page !== undefined) out.page = page;
  return out;
}

/** A retrieved passage as a tool returns it to a model: numbered, with its source, location and score. */
export interface PassageJson {
  readonly number: number;
  readonly id: string;
  readonly documentId: string;
  readonly source: string;
  readonly score: number;
  readonly line?: number;
  readonly endLine?: number;
  readonly page?: number;
  readonly text: string;
  readonly metadata?: Metadata;
}

export function passageJson(passage: RetrievedPassage, index: number, includeMetadata: boolean): PassageJson {
  return {
    number: index + 1,
    id: passage.id,
    documentId: passage.documentId,
    source: sourceOf(passage.metadata, passage.documentId),
    score: passage.score,
    ...locationOf(passage.metadata),
    text: passage.text,
    ...(includeMetadata ? { metadata: passage.metadata } : {}),
  };
}

/**
 * An AI SDK document source (the `LanguageModelV3Source`/`V4` shape, `sourceType: 'document'`), as
 * `generateText` returns in `sources` and a UI message stream sends as a `source-document` part.
 */
export interface AiSdkDocumentSource {
  readonly type: 'source';
  readonly sourceType: 'document';
  readonly id: string;
  readonly mediaType: string;
  readonly title: string;
  readonly filename?: string;
  readonly providerMetadata: {
    readonly ragloom: {
      readonly number: number;
      readonly chunkId: string;
      readonly documentId: string;
      readonly text: string;
      readonly start?: number;
      readonly end?: number;
      readonly line?: number;
      readonly endLine?: number;
      readonly page?: number;
    };
  };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  markdown: 'text/markdown',
  html: 'text/html',
  pdf: 'application/pdf',
  jsonl: 'application/jsonl',
};

function label(source: string, where: { line?: number; endLine?: number; page?: number }): string {
  if (where.page !== undefined) return `${source} p.${where.page}`;
  if (where.line === undefined) return source;
  return where.endLine !== undefined && where.endLine > where.line
    ? `${source}:${where.line}-${where.endLine}`
    : `${source}:${where.line}`;
}

function documentSource(
  number: number,
  chunkId: string,
  documentId: string,
  text: string,
  metadata: Metadata,
  span: { start?: number; end?: number },
): AiSdkDocumentSource {
  const source = sourceOf(metadata, documentId);
  const where = locationOf(metadata);
  const type = typeof metadata.type === 'string' ? metadata.type : undefined;
  const ragloom = {
    number,
    chunkId,
    documentId,
    text,
    ...(span.start !== undefined ? { start: span.start } : {}),
    ...(span.end !== undefined ? { end: span.end } : {}),
    ...where,
  };
  return {
    type: 'source',
    sourceType: 'document',
    id: `ragloom-${number}-${chunkId}`,
    mediaType: (type && MEDIA_TYPES[type]) ?? 'text/plain',
    title: label(source, where),
    ...(source !== documentId || /\.\w+$/.test(source) ? { filename: source } : {}),
    providerMetadata: { ragloom },
  };
}

/**
 * The citations of a ragloom answer (`pipeline.ask`) as AI SDK sources, numbered as the answer's `[n]`: show
 * them beside an answer, or write them into a UI message stream (`{ type: 'source-document', sourceId: s.id,
 * mediaType, title, filename }`).
 */
export function citationSources(citations: readonly Citation[]): AiSdkDocumentSource[] {
  return citations.map((c) =>
    documentSource(c.number, c.chunkId, c.documentId, c.text, c.metadata, { start: c.start, end: c.end }),
  );
}

/** Retrieved passages as AI SDK sources, numbered in rank order (what `ragloomSearchTool` returns as `number`). */
export function passageSources(passages: readonly RetrievedPassage[]): AiSdkDocumentSource[] {
  return passages.map((p, i) =>
    documentSource(i + 1, p.id, p.documentId, p.text, p.metadata, { start: p.start, end: p.end }),
  );
}
