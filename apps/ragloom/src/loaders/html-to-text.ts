import { Parser } from 'htmlparser2';
import { lineAtOffset, lineStarts } from './source-lines.js';

const SKIPPED = new Set([
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'head',
  'iframe',
  'object',
  'button',
]);
/** Page furniture, skipped wherever it is (a table of contents inside the main content is navigation too). */
const FURNITURE = new Set(['nav']);
/** Page chrome around the content: skipped unless inside `<main>`, `<article>` or `<section>`. */
const CHROME = new Set(['header', 'footer', 'aside']);
const CONTENT = new Set(['main', 'article', 'section']);
const FURNITURE_ROLES = new Set([
  'navigation',
  'search',
  'banner',
  'contentinfo',
  'complementary',
  'menu',
  'menubar',
  'toolbar',
]);
/** Classes of well-known generators' navigation and permalink marks (Sphinx; Node.js/MkDocs anchors). */
const FURNITURE_CLASSES = new Set(['sphinxsidebar', 'related', 'headerlink', 'mark', 'skip-link']);
/** Link text that is only a permalink glyph (`<a href="#x">¶</a>`). */
const PERMALINK_TEXT = /^\s*(?:¶|§|#|🔗|⚓)\s*$/;
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

export interface HtmlToTextOptions {
  /** Drop link-dense lists on pages without a main region (default true; false for converted documents). */
  readonly dropMenus?: boolean;
}

type Attributes = Readonly<Record<string, string>>;

const isMainRegion = (name: string, attributes: Attributes) => name === 'main' || attributes.role === 'main';

/** Whether the page marks its main content (`<main>` or `role="main"`, as Sphinx's `div.body`). */
function hasMainRegion(html: string): boolean {
  let found = false;
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        if (isMainRegion(name, attributes)) found = true;
      },
    },
    { lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  return found;
}

/** A list being written, to drop it whole when it turns out to be a menu of links. */
interface OpenList {
  readonly outLength: number;
  readonly markCount: number;
  items: number;
  chars: number;
  linkChars: number;
}

/** A list of at least this many items whose text is (almost) all link text is a menu. */
const MENU_MIN_ITEMS = 5;
const MENU_LINK_SHARE = 0.9;

interface OpenElement {
  readonly name: string;
  readonly skip: boolean;
  readonly main: boolean;
  readonly content: boolean;
}

/**
 * Extracts the readable main content of an HTML page and remembers where each piece came from, so a
 * citation can name the line of the HTML file and not only an offset into extracted text.
 *
 * The rules, in order (documented in the app README):
 * - A page that marks its main content (`<main>`, `role="main"`) contributes only that content.
 * - Skipped anywhere: scripts, styles, forms' buttons, `hidden` elements, `<nav>`, elements whose ARIA role
 *   is navigation/search/banner/contentinfo/complementary/menu/toolbar, Sphinx's sidebar and related bars
 *   (`sphinxsidebar`, `related`) and permalink marks (`a.headerlink`, Node's `a.mark`, links whose text is
 *   only ¶ § # 🔗).
 * - `<header>`, `<footer>` and `<aside>` are page chrome unless inside `<main>`, `<article>` or `<section>`.
 * - On a page without a main region, a list of 5 or more items whose text is at least 90% link text is a
 *   menu (Readability's link-density idea) and is dropped whole.
 * - Whitespace collapses to one space, also across a line break before an inline tag (`to\n<code>x`
 *   reads "to x"); `<pre>` keeps its lines.
 */
export function htmlToText(html: string, options: HtmlToTextOptions = {}): HtmlText {
  const sourceLines = lineStarts(html);
  const onlyMain = hasMainRegion(html);
  const dropMenus = options.dropMenus ?? true;
  // (text offset, source line) at the start of every piece of text written.
  const marks: { offset: number; line: number }[] = [];
  const open: OpenElement[] = [];
  const lists: OpenList[] = [];
  let out = '';
  let skipDepth = 0;
  let mainDepth = 0;
  let contentDepth = 0;
  let preDepth = 0;
  let linkDepth = 0;
  let inTitle = false;
  let title = '';
  let lastOpenLine = 1;
  // A space is owed before the next word (whitespace was seen since the last one).
  let pendingSpace = false;
  // A list marker was just written: a paragraph opening inside the item continues its line.
  let afterListMarker = false;

  const emitting = () => skipDepth === 0 && (!onlyMain || mainDepth > 0);
  const newline = (count: number) => {
    pendingSpace = false;
    if (out.length === 0 || afterListMarker) return;
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
    afterListMarker = false;
  };
  const skips = (name: string, attributes: Attributes) => {
    if (SKIPPED.has(name) || FURNITURE.has(name) || 'hidden' in attributes) return true;
    if (CHROME.has(name) && contentDepth === 0 && mainDepth === 0) return true;
    if (attributes.role !== undefined && FURNITURE_ROLES.has(attributes.role)) return true;
    const classes = (attributes.class ?? '').split(/\s+/);
    return classes.some((c) => FURNITURE_CLASSES.has(c) && (c !== 'mark' || name === 'a'));
  };

  const parser: Parser = new Parser(
    {
      onopentag(name, attributes) {
        lastOpenLine = lineAtOffset(sourceLines, parser.startIndex);
        if (name === 'title') inTitle = true;
        const element: OpenElement = {
          name,
          skip: skips(name, attributes),
          main: isMainRegion(name, attributes),
          content: CONTENT.has(name),
        };
        open.push(element);
        if (element.skip) skipDepth++;
        if (element.main) mainDepth++;
        if (element.content) contentDepth++;
        if (name === 'pre') preDepth++;
        if (name === 'a') linkDepth++;
        if (!emitting()) return;
        if (dropMenus && !onlyMain && (name === 'ul' || name === 'ol'))
          lists.push({ outLength: out.length, markCount: marks.length, items: 0, chars: 0, linkChars: 0 });
        if (name === 'li') for (const list of lists) list.items++;
        if (/^h[1-6]$/.test(name)) {
          newline(2);
          write(`${'#'.repeat(Number(name[1]))} `, lastOpenLine);
        } else if (name === 'li') {
          newline(1);
          write('- ', lastOpenLine);
          afterListMarker = true;
        } else if (BLOCK.has(name)) {
          newline(name === 'p' || name === 'pre' || name === 'table' ? 2 : 1);
        }
      },
      onclosetag(name) {
        if (name === 'title') inTitle = false;
        const wasEmitting = emitting();
        const element = open.pop();
        if (element) {
          if (element.skip) skipDepth--;
          if (element.main) mainDepth--;
          if (element.content) contentDepth--;
        }
        if (name === 'pre') preDepth = Math.max(0, preDepth - 1);
        if (name === 'a') linkDepth = Math.max(0, linkDepth - 1);
        if (!wasEmitting) return;
        if (dropMenus && !onlyMain && (name === 'ul' || name === 'ol')) {
          const list = lists.pop();
          if (list && list.items >= MENU_MIN_ITEMS && list.linkChars >= MENU_LINK_SHARE * list.chars) {
            out = out.slice(0, list.outLength);
            marks.length = list.markCount;
            // The dropped text no longer counts toward the lists around it, its items still do (a table of
            // contents is one top entry holding a long menu).
            for (const outer of lists) {
              outer.chars -= list.chars;
              outer.linkChars -= list.linkChars;
            }
          }
        }
        if (/^h[1-6]$/.test(name) || name === 'p' || name === 'pre' || name === 'table') newline(2);
        else if (BLOCK.has(name)) newline(1);
        else if (name === 'td' || name === 'th') pendingSpace = true;
      },
      ontext(data) {
        if (inTitle) title += data;
        if (!emitting()) return;
        if (linkDepth > 0 && PERMALINK_TEXT.test(data)) return;
        const firstLine = lineAtOffset(sourceLines, parser.startIndex);
        const pieces = data.split('\n');
        pieces.forEach((piece, i) => {
          const line = firstLine + i;
          if (preDepth > 0) {
            write(i < pieces.length - 1 ? `${piece}\n` : piece, line);
            return;
          }
          if (i > 0) pendingSpace = true;
          const collapsed = piece.replace(/[\t\r\f\v ]+/g, ' ');
          const words = collapsed.trim();
          if (collapsed.startsWith(' ')) pendingSpace = true;
          if (words.length === 0) return;
          const atLineStart = out.length === 0 || /\s$/.test(out);
          write(pendingSpace && !atLineStart ? ` ${words}` : words, line);
          for (const list of lists) {
            list.chars += words.length;
            if (linkDepth > 0) list.linkChars += words.length;
          }
          pendingSpace = collapsed.endsWith(' ');
        });
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
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
