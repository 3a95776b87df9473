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

function label(source: string, line?: number, endLine?: number, page?: number, type?: unknown): string {
  if (page !== undefined) return `${source} p.${page}`;
  if (line === undefined) return source;
  // A Word document has paragraphs, not lines.
  if (type === 'docx') return `${source} ¶${line}`;
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
  return { source, line, endLine, page, label: label(source, line, endLine, page, m.type) };
}

/** The value of flat `[offset, value, …]` change marks at `offset` (see the located chunker). */
function markAt(marks: unknown, offset: number): number | undefined {
  if (!Array.isArray(marks) || marks.length < 2) return undefined;
  let value: number | undefined;
  for (let i = 0; i + 1 < marks.length; i += 2) {
    const at = marks[i];
    const v = marks[i + 1];
    if (typeof at !== 'number' || typeof v !== 'number') return undefined;
    if (at > offset) break;
    value = v;
  }
  return value;
}

/**
 * Where a citation points: the quoted span's own lines and page. Text and markdown count the newlines
 * before the span inside the chunk; HTML and PDF chunks carry `lineMarks` / `pageMarks` from ingest. A
 * citation without offsets (a generated answer's [n]) points at the chunk's lines or page.
 */
export function locateCitation(citation: Citation, passage: RetrievedPassage | undefined): SourceLocation {
  const m = citation.metadata;
  const source = sourceOf(m, citation.documentId);
  const chunkLine = num(m.line);
  const chunkEndLine = num(m.endLine);
  const chunkPage = num(m.page);
  const located =
    chunkLine !== undefined &&
    passage?.start !== undefined &&
    citation.start !== undefined &&
    citation.end !== undefined &&
    citation.start >= passage.start;
  if (!located) {
    return {
      source,
      line: chunkLine,
      endLine: chunkEndLine,
      page: chunkPage,
      label: label(source, chunkLine, chunkEndLine, chunkPage, m.type),
    };
  }
  const from = citation.start! - passage!.start!;
  const to = Math.max(from, citation.start! + citation.text.trimEnd().length - 1 - passage!.start!);
  const page = markAt(m.pageMarks, from) ?? chunkPage;
  let line: number | undefined = chunkLine;
  let endLine: number | undefined = chunkEndLine;
  if (m.type === 'markdown' || m.type === 'text' || m.type === 'pdf') {
    line = chunkLine + countNewlines(passage!.text.slice(0, from));
    endLine = line + countNewlines(citation.text.trimEnd());
  } else if (Array.isArray(m.lineMarks)) {
    line = markAt(m.lineMarks, from) ?? chunkLine;
    endLine = markAt(m.lineMarks, to) ?? line;
  }
  return { source, line, endLine, page, label: label(source, line, endLine, page, m.type) };
}
