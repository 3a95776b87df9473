import type { SyncChunkerV1 } from '../spec/chunker-v1.js';
import type { Metadata } from '../spec/shared-types.js';
import { assertDocument, buildChunks } from './build-chunks.js';
import { type ChunkSizeOptions, resolveSizeOptions } from './chunk-options.js';
import { mergeSpans, splitToFit } from './merge-spans.js';
import { DEFAULT_SEPARATORS } from './recursive-chunker.js';
import type { Span } from './text-spans.js';

export interface MarkdownChunkerOptions extends ChunkSizeOptions {
  /** Deepest heading level that starts a new section (default 6: every heading). */
  readonly maxHeadingLevel?: number;
}

export interface MarkdownSection extends Span {
  /** The heading path: ['Guide', 'Install', 'From npm']. Empty before the first heading. */
  readonly headings: readonly string[];
}

const ATX = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const SETEXT = /^ {0,3}(=+|-+)[ \t]*$/;

/** Strips inline markdown that would clutter a heading used as metadata: `**x**`, `[x](url)`, backticks. */
function headingText(raw: string): string {
  return raw
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`~]/g, '')
    .trim();
}

/**
 * Finds heading-delimited sections (ATX `#` and setext `===`/`---` headings, ignoring anything
 * inside fenced code blocks). Each section runs from its heading line to the next heading.
 */
export function markdownSections(text: string, maxHeadingLevel = 6): MarkdownSection[] {
  const lines: { start: number; end: number; text: string }[] = [];
  for (let start = 0; start <= text.length; ) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    lines.push({ start, end, text: text.slice(start, end).replace(/\r$/, '') });
    if (nl === -1) break;
    start = nl + 1;
  }
  const headings: { start: number; level: number; title: string }[] = [];
  let fence: string | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const fenceMatch = FENCE.exec(line.text);
    if (fence !== undefined) {
      if (fenceMatch && fenceMatch[1]![0] === fence[0] && fenceMatch[1]!.length >= fence.length)
        fence = undefined;
      continue;
    }
    if (fenceMatch) {
      fence = fenceMatch[1]!;
      continue;
    }
    const atx = ATX.exec(line.text);
    if (atx) {
      headings.push({ start: line.start, level: atx[1]!.length, title: headingText(atx[2] ?? '') });
      continue;
    }
    const next = lines[i + 1];
    const setext = next ? SETEXT.exec(next.text) : null;
    if (setext && line.text.trim() !== '' && !/^ {0,3}([-*+]|\d+[.)])\s/.test(line.text)) {
      headings.push({
        start: line.start,
        level: setext[1]![0] === '=' ? 1 : 2,
        title: headingText(line.text),
      });
      i++;
    }
  }
  const starts = headings.filter((h) => h.level <= maxHeadingLevel);
  const sections: MarkdownSection[] = [];
  const stack: { level: number; title: string }[] = [];
  if ((starts[0]?.start ?? text.length) > 0)
    sections.push({ start: 0, end: starts[0]?.start ?? text.length, headings: [] });
  starts.forEach((h, i) => {
    while (stack.length > 0 && stack.at(-1)!.level >= h.level) stack.pop();
    stack.push({ level: h.level, title: h.title });
    sections.push({
      start: h.start,
      end: starts[i + 1]?.start ?? text.length,
      headings: stack.map((s) => s.title),
    });
  });
  return sections;
}

// Prefer to split long sections between fenced blocks and paragraphs before lines and sentences.
const MARKDOWN_SEPARATORS = ['\n```', '\n~~~', ...DEFAULT_SEPARATORS];

/**
 * Markdown-aware chunking: one or more chunks per heading section, never mixing two sections, with
 * the heading path as metadata (`headings: ['Guide', 'Install']`, `section: 'Guide > Install'`).
 * Headings inside code fences are ignored. Long sections are split like the recursive chunker.
 */
export function createMarkdownChunker(options: MarkdownChunkerOptions = {}): SyncChunkerV1 {
  const size = resolveSizeOptions(options);
  const maxLevel = options.maxHeadingLevel ?? 6;
  return {
    specificationVersion: 'v1',
    name: 'markdown',
    chunk(document) {
      assertDocument(document);
      const { text } = document;
      const spans: (Span & { metadata: Metadata })[] = [];
      for (const section of markdownSections(text, maxLevel)) {
        const metadata: Metadata = { headings: [...section.headings], section: section.headings.join(' > ') };
        const pieces = splitToFit(text, section, MARKDOWN_SEPARATORS, size);
        for (const span of mergeSpans(text, pieces, size)) spans.push({ ...span, metadata });
      }
      return buildChunks(document, spans);
    },
  };
}
