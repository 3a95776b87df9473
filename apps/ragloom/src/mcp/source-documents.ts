import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { type Metadata, RagloomError, type RetrieverRecord } from '@ragloom/core';
import type { RagloomRuntime } from '../runtime/open-runtime.js';

/** One document of the index, as the MCP resource list shows it. */
export interface SourceDocumentSummary {
  readonly id: string;
  /** The file (relative to the config folder) or the id the document was ingested under. */
  readonly source: string;
  readonly type?: string;
  readonly title?: string;
  readonly chunks: number;
}

export interface SourceDocumentText {
  readonly id: string;
  readonly source: string;
  readonly type?: string;
  readonly text: string;
  /** 'file': the source file, unchanged since ingest; 'index': stitched from the indexed chunks. */
  readonly from: 'file' | 'index';
}

interface IndexedChunk {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

interface IndexedDocument {
  readonly metadata: Metadata;
  readonly chunks: IndexedChunk[];
}

const MAX_SOURCE_BYTES = 32 * 1024 * 1024;
const integer = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);

/** The retriever that can list its records (every local one can); documents are read from it. */
function scannable(runtime: RagloomRuntime) {
  const entry = runtime.retrievers.find((r) => r.retriever.capabilities.scan && r.retriever.scan);
  if (!entry?.retriever.scan) {
    throw new RagloomError(
      'UNSUPPORTED',
      'no retriever of this index can list its records (scan), so its documents cannot be listed or read',
    );
  }
  return entry.retriever;
}

/** Groups every stored chunk by document (one pass over the index). */
async function indexedDocuments(
  runtime: RagloomRuntime,
  only?: string,
): Promise<Map<string, IndexedDocument>> {
  const documents = new Map<string, IndexedDocument>();
  const add = (record: RetrieverRecord) => {
    const m = record.metadata ?? {};
    const id = typeof m.documentId === 'string' ? m.documentId : record.id;
    if (only !== undefined && id !== only) return;
    let document = documents.get(id);
    if (!document) {
      document = { metadata: m, chunks: [] };
      documents.set(id, document);
    }
    const start = integer(m.start);
    const end = integer(m.end);
    if (start !== undefined && end !== undefined) document.chunks.push({ start, end, text: record.text });
  };
  for await (const page of scannable(runtime).scan!({ batchSize: 512 }))
    for (const record of page) add(record);
  return documents;
}

const sourceOf = (id: string, m: Metadata) => (typeof m.source === 'string' ? m.source : id);
const stringOf = (v: unknown) => (typeof v === 'string' ? v : undefined);

export async function listSourceDocuments(runtime: RagloomRuntime): Promise<SourceDocumentSummary[]> {
  const documents = await indexedDocuments(runtime);
  return [...documents.entries()]
    .map(([id, d]) => {
      const type = stringOf(d.metadata.type);
      const title = stringOf(d.metadata.title);
      return {
        id,
        source: sourceOf(id, d.metadata),
        chunks: d.chunks.length,
        ...(type ? { type } : {}),
        ...(title ? { title } : {}),
      };
    })
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/**
 * The document's text rebuilt from its chunks by their offsets (overlaps merged). Chunkers drop only the
 * whitespace between chunks, so a gap is whitespace: one character becomes a space, longer ones newlines, which
 * keeps every offset (and so every citation's start/end) pointing at the same text.
 */
export function stitchChunks(chunks: readonly IndexedChunk[]): string {
  const sorted = [...chunks].sort((a, b) => a.start - b.start || b.end - a.end);
  let text = '';
  for (const chunk of sorted) {
    if (chunk.end <= text.length) continue;
    if (chunk.start > text.length) {
      const gap = chunk.start - text.length;
      text += gap === 1 ? ' ' : '\n'.repeat(gap);
    }
    text += chunk.text.slice(text.length - chunk.start);
  }
  return text;
}

/**
 * True when everything of `text` outside the chunks is whitespace, so returning it discloses nothing the index
 * does not hold (a file that grew since ingest, or a `source` naming some other file, fails this).
 */
function coveredByChunks(text: string, chunks: readonly IndexedChunk[]): boolean {
  if (chunks.length === 0) return false;
  let at = 0;
  for (const chunk of [...chunks].sort((a, b) => a.start - b.start)) {
    if (chunk.start > at && /\S/.test(text.slice(at, chunk.start))) return false;
    at = Math.max(at, chunk.end);
  }
  return !/\S/.test(text.slice(at));
}

/**
 * The source file's text when it is a text or markdown file that still holds exactly what was indexed (every
 * chunk found at its offsets, nothing but whitespace around them), else undefined. Only text the index already
 * holds is ever returned.
 */
async function unchangedFileText(
  runtime: RagloomRuntime,
  source: string,
  document: IndexedDocument,
): Promise<string | undefined> {
  const type = document.metadata.type;
  if (type !== 'markdown' && type !== 'text') return undefined;
  const path = isAbsolute(source) ? source : resolve(runtime.loaded.dir, source);
  try {
    const info = await stat(path);
    if (!info.isFile() || info.size > MAX_SOURCE_BYTES) return undefined;
    const text = (await readFile(path, 'utf8')).replace(/\r\n?/g, '\n');
    const matches = document.chunks.every((c) => text.slice(c.start, c.end) === c.text);
    return matches && coveredByChunks(text, document.chunks) ? text : undefined;
  } catch {
    return undefined;
  }
}

/** One document's text: the unchanged source file, else stitched from the index. NOT_FOUND names the id. */
export async function readSourceDocument(runtime: RagloomRuntime, id: string): Promise<SourceDocumentText> {
  const document = (await indexedDocuments(runtime, id)).get(id);
  if (!document) {
    throw new RagloomError(
      'NOT_FOUND',
      `no document "${id}" in the index (list the resources to see the ids)`,
      {
        details: { id },
      },
    );
  }
  const source = sourceOf(id, document.metadata);
  const type = stringOf(document.metadata.type);
  const fileText = await unchangedFileText(runtime, source, document);
  return {
    id,
    source,
    ...(type ? { type } : {}),
    text: fileText ?? stitchChunks(document.chunks),
    from: fileText === undefined ? 'index' : 'file',
  };
}
