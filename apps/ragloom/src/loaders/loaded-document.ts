import type { Document } from '@ragloom/core';

/** The kinds of files ingest reads. */
export type SourceType = 'markdown' | 'text' | 'html' | 'docx' | 'pdf' | 'jsonl';

/** A document read from a file, with what citations need to point back into the file. */
export interface LoadedDocument {
  /** `metadata` always holds `source` (the file, relative to the config) and `type`. */
  readonly document: Document;
  /** The 1-based line of the source file that a UTF-16 offset in `document.text` comes from (DOCX: paragraph). */
  lineAt(offset: number): number;
  /** For PDFs: the 1-based page of an offset. */
  pageAt?(offset: number): number;
}

/** A file that could not be used, and why (ingest skips it with a warning). */
export interface SkippedFile {
  readonly source: string;
  readonly reason: string;
}
