import type { Citation, RetrievedPassage } from '@ragloom/core';

export interface SourceLocation {
  /** The file, relative to the config folder (or absolute outside it). */
  readonly source: string;
  readonly line?: number;
  readonly endLine?: number;
  readonly page?: number;
  /** `docs/guide.md:12-14`, `paper.pdf p.3`, `faq.jsonl:42`. */
  readonly label: string;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const countNewlines = (text: string) => {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
};

function label(source: string, line?: number, endLine?: number, page?: number): string {
  if (page !== undefined) return `${source} p.${page}`;
  if (line === undefined) return source;
  return endLine !== undefined && endLine > line ? `${source}:${line}-${endLine}` : `${source}:${line}`;
}

function sourceOf(metadata: Readonly<Record<string, unknown>>, fallback: string): string {
  return typeof metadata.source === 'string' ? metadata.source : fallback;
}

/** Where a retrieved chunk sits in its file (the lines ingest recorded). */
export function locatePassage(passage: RetrievedPassage): SourceLocation {
  const m = passage.metadata;
  const source = sourceOf(m, passage.documentId);
  const line = num(m.line);
  const endLine = num(m.endLine);
  const page = num(m.page);
  return { source, line, endLine, page, label: label(source, line, endLine, page) };
}

/**
 * Where a citation points: for text and markdown files the exact lines of the quoted span (the chunk's first
 * line plus the newlines before the span inside the chunk); otherwise the chunk's lines or page.
 */
export function locateCitation(citation: Citation, passage: RetrievedPassage | undefined): SourceLocation {
  const m = citation.metadata;
  const source = sourceOf(m, citation.documentId);
  const chunkLine = num(m.line);
  const page = num(m.page);
  const exact = m.type === 'markdown' || m.type === 'text';
  if (
    exact &&
    chunkLine !== undefined &&
    passage?.start !== undefined &&
    citation.start !== undefined &&
    citation.end !== undefined &&
    citation.start >= passage.start
  ) {
    const before = passage.text.slice(0, citation.start - passage.start);
    const line = chunkLine + countNewlines(before);
    const endLine = line + countNewlines(citation.text.trimEnd());
    return { source, line, endLine, page, label: label(source, line, endLine, page) };
  }
  const endLine = num(m.endLine);
  return { source, line: chunkLine, endLine, page, label: label(source, chunkLine, endLine, page) };
}
