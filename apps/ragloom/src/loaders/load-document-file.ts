import { extname } from 'node:path';
import { type Metadata, type MetadataValue, RagloomError } from '@ragloom/core';
import { binaryReason, decodeUtf8 } from './decode-text.js';
import { docxToText } from './docx-to-text.js';
import { htmlToText } from './html-to-text.js';
import type { LoadedDocument, SourceType } from './loaded-document.js';
import { pdfToText } from './pdf-to-text.js';
import { lineAtOffset, lineStarts } from './source-lines.js';

const TYPES: Record<string, SourceType> = {
  '.md': 'markdown',
  '.markdown': 'markdown',
  '.mdx': 'markdown',
  '.txt': 'text',
  '.rst': 'text',
  '.docx': 'docx',
  '.text': 'text',
  '.html': 'html',
  '.htm': 'html',
  '.xhtml': 'html',
  '.pdf': 'pdf',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
};

/** The loader a file gets by extension; anything else named explicitly is read as plain text. */
export function sourceTypeOf(path: string): SourceType {
  return TYPES[extname(path).toLowerCase()] ?? 'text';
}

export interface LoadResult {
  readonly documents: LoadedDocument[];
  /** Problems that skipped part of the file (bad JSONL lines), for the user to see. */
  readonly warnings: string[];
}

function skip(source: string, reason: string): never {
  throw new RagloomError('INVALID_ARGUMENT', `skipped ${source}: ${reason}`, { details: { source, reason } });
}

function textOf(bytes: Uint8Array, source: string): string {
  const binary = binaryReason(bytes);
  if (binary) skip(source, binary);
  const text = decodeUtf8(bytes);
  if (text === undefined) skip(source, 'it is not valid UTF-8 text');
  return text.replace(/\r\n?/g, '\n');
}

function markdownTitle(text: string): string | undefined {
  const match = /^#\s+(.+?)\s*#*\s*$/m.exec(text);
  return match?.[1];
}

const isScalar = (v: unknown) =>
  typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));

/** Keeps the flat (filterable) part of a JSONL record's metadata. */
function flatMetadata(value: unknown): Metadata {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, MetadataValue> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === null || isScalar(v)) out[key] = v as MetadataValue;
    else if (Array.isArray(v) && v.every(isScalar)) out[key] = v as MetadataValue;
  }
  return out;
}

function loadJsonl(text: string, source: string): LoadResult {
  const documents: LoadedDocument[] = [];
  const warnings: string[] = [];
  const seen = new Set<string>();
  text.split('\n').forEach((line, index) => {
    const lineNumber = index + 1;
    if (line.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(line);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
        throw new Error('not an object');
      record = parsed as Record<string, unknown>;
    } catch (error) {
      warnings.push(`${source}:${lineNumber}: not a JSON object (${(error as Error).message}), line skipped`);
      return;
    }
    const body = [record.text, record.contents, record.content].find((v) => typeof v === 'string') as
      | string
      | undefined;
    if (body === undefined) {
      warnings.push(`${source}:${lineNumber}: no "text" string, line skipped`);
      return;
    }
    const rawId = record.id ?? record._id;
    const id = typeof rawId === 'string' || typeof rawId === 'number' ? String(rawId) : `L${lineNumber}`;
    if (seen.has(id)) {
      warnings.push(`${source}:${lineNumber}: duplicate id "${id}", line skipped`);
      return;
    }
    seen.add(id);
    const title =
      typeof record.title === 'string' && record.title.trim() !== '' ? record.title.trim() : undefined;
    documents.push({
      document: {
        id: `${source}#${id}`,
        text: title ? `${title}\n\n${body}` : body,
        metadata: {
          ...flatMetadata(record.metadata),
          source,
          type: 'jsonl',
          recordId: id,
          ...(title ? { title } : {}),
        },
      },
      lineAt: () => lineNumber,
    });
  });
  return { documents, warnings };
}

/**
 * Reads one file into documents: markdown and text as they are, HTML as readable text mapped back to
 * its source lines, DOCX by paragraph (mammoth), PDF page by page (pdf.js), JSONL one document per line (`text`/`contents`, `id`/`_id`,
 * `title`, `metadata`). An unusable file (binary, not UTF-8, broken PDF) is an INVALID_ARGUMENT error
 * saying why, which ingest reports as a skipped file.
 */
export async function loadDocumentFile(bytes: Uint8Array, source: string): Promise<LoadResult> {
  const type = sourceTypeOf(source);
  if (type === 'pdf') {
    if (!new TextDecoder().decode(bytes.subarray(0, 1024)).includes('%PDF-'))
      skip(source, 'it is not a PDF file');
    const { text, pageStarts } = await pdfToText(bytes, source);
    const starts = lineStarts(text);
    return {
      documents: [
        {
          document: { id: source, text, metadata: { source, type } },
          lineAt: (offset) => lineAtOffset(starts, offset),
          pageAt: (offset) => lineAtOffset(pageStarts, offset),
        },
      ],
      warnings: [],
    };
  }
  if (type === 'docx') {
    // A DOCX is a zip archive: "PK\x03\x04".
    if (!(bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04))
      skip(source, 'it is not a DOCX file');
    const docx = await docxToText(bytes, source);
    return {
      documents: [
        {
          document: { id: source, text: docx.text, metadata: { source, type } },
          lineAt: docx.lineAt,
        },
      ],
      warnings: [],
    };
  }
  const text = textOf(bytes, source);
  if (type === 'jsonl') return loadJsonl(text, source);
  if (type === 'html') {
    const html = htmlToText(text);
    return {
      documents: [
        {
          document: {
            id: source,
            text: html.text,
            metadata: { source, type, ...(html.title ? { title: html.title } : {}) },
          },
          lineAt: html.lineAt,
        },
      ],
      warnings: [],
    };
  }
  const starts = lineStarts(text);
  const title = type === 'markdown' ? markdownTitle(text) : undefined;
  return {
    documents: [
      {
        document: { id: source, text, metadata: { source, type, ...(title ? { title } : {}) } },
        lineAt: (offset) => lineAtOffset(starts, offset),
      },
    ],
    warnings: [],
  };
}
