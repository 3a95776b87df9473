import { Parser } from 'htmlparser2';
import { lineAtOffset, lineStarts } from './source-lines.js';

const SKIPPED = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head', 'iframe', 'object']);
const BLOCK = new Set([
  'address',
  'article',
  'aside',
  'blockquote',
  'br',
  'dd',
  'details',
  'dialog',
  'div',
  'dl',
  'dt',
  'fieldset',
  'figcaption',
  'figure',
  'footer',
  'form',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'header',
  'hr',
  'li',
  'main',
  'nav',
  'ol',
  'p',
  'pre',
  'section',
  'summary',
  'table',
  'tr',
  'ul',
  'td',
  'th',
  'caption',
]);

export interface HtmlText {
  /** Readable text: headings as markdown `#` lines, blocks on their own lines, whitespace collapsed. */
  readonly text: string;
  readonly title: string | undefined;
  /** The 1-based line of the HTML source an offset of `text` comes from. */
  lineAt(offset: number): number;
}

/**
 * Extracts the readable text of an HTML page and remembers where each piece came from, so a citation
 * can name the line of the HTML file and not only an offset into extracted text.
 */
export function htmlToText(html: string): HtmlText {
  const sourceLines = lineStarts(html);
  // (text offset, source line) at the start of every piece of text written.
  const marks: { offset: number; line: number }[] = [];
  let out = '';
  let skipDepth = 0;
  let preDepth = 0;
  let inTitle = false;
  let title = '';
  let lastOpenLine = 1;

  const newline = (count: number) => {
    if (out.length === 0) return;
    const trimmed = out.trimEnd();
    const have = (out.slice(trimmed.length).match(/\n/g) ?? []).length;
    out = trimmed;
    while (marks.length > 0 && marks[marks.length - 1]!.offset >= out.length) marks.pop();
    out += '\n'.repeat(Math.max(count, have));
  };
  const write = (text: string, line: number) => {
    if (text.length === 0) return;
    marks.push({ offset: out.length, line });
    out += text;
  };

  const parser: Parser = new Parser(
    {
      onopentag(name) {
        lastOpenLine = lineAtOffset(sourceLines, parser.startIndex);
        if (name === 'title') inTitle = true;
        if (SKIPPED.has(name)) skipDepth++;
        if (name === 'pre') preDepth++;
        if (skipDepth > 0) return;
        if (/^h[1-6]$/.test(name)) {
          newline(2);
          write(`${'#'.repeat(Number(name[1]))} `, lastOpenLine);
        } else if (name === 'li') {
          newline(1);
          write('- ', lastOpenLine);
        } else if (BLOCK.has(name)) {
          newline(name === 'p' || name === 'pre' || name === 'table' ? 2 : 1);
        }
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        if (SKIPPED.has(name)) skipDepth = Math.max(0, skipDepth - 1);
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        if (skipDepth > 0) return;
        if (/^h[1-6]$/.test(name) || name === 'p' || name === 'pre' || name === 'table') newline(2);
        else if (BLOCK.has(name)) newline(1);
        else if (name === 'td' || name === 'th') write(' ', lastOpenLine);
      },
      ontext(data) {
        if (inTitle) title += data;
        if (skipDepth > 0) return;
        const firstLine = lineAtOffset(sourceLines, parser.startIndex);
        const pieces = data.split('\n');
        pieces.forEach((piece, i) => {
          const line = firstLine + i;
          if (preDepth > 0) {
            write(i < pieces.length - 1 ? `${piece}\n` : piece, line);
            return;
          }
          let text = piece.replace(/[\t\r\f\v ]+/g, ' ');
          const atLineStart = out.length === 0 || out.endsWith('\n') || out.endsWith(' ');
          if (atLineStart) text = text.replace(/^ /, '');
          if (i > 0 && text.length > 0 && !atLineStart) text = ` ${text.replace(/^ /, '')}`;
          write(text, line);
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true },
  );
  parser.write(html);
  parser.end();

  const text = out.trimEnd();
  return {
    text,
    title: title.replace(/\s+/g, ' ').trim() || undefined,
    lineAt(offset: number) {
      let lo = 0;
      let hi = marks.length - 1;
      if (hi < 0) return 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (marks[mid]!.offset <= offset) lo = mid;
        else hi = mid - 1;
      }
      return marks[lo]!.line;
    },
  };
}
