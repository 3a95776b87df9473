import type { Span } from '../chunking/text-spans.js';

/**
 * What a "sentence" of a passage really is. Only prose answers questions; code answers questions about
 * code; headings, markup directives and navigation never do. Version notes ("Changed in version 3.4: …")
 * are prose about the past, so they rank below the text that describes the present.
 */
export type SentenceKind = 'prose' | 'version-note' | 'code' | 'heading' | 'directive' | 'navigation';

const FENCE = /^[ \t]{0,3}(```|~~~)/;

/** Spans of a passage's text inside fenced code blocks (``` or ~~~), fences included. */
export function fencedSpans(text: string): Span[] {
  const spans: Span[] = [];
  let open: number | undefined;
  let offset = 0;
  for (const line of text.split('\n')) {
    if (FENCE.test(line)) {
      if (open === undefined) open = offset;
      else {
        spans.push({ start: open, end: offset + line.length });
        open = undefined;
      }
    }
    offset += line.length + 1;
  }
  if (open !== undefined) spans.push({ start: open, end: text.length });
  return spans;
}

const HEADING = /^#{1,6}\s/;
const DIRECTIVE = [
  /^\.\.\s+[\w:-]+::/m, // reStructuredText / Sphinx: .. note::, .. code-block:: python
  /^\.\.\s+(_[\w -]+:|\[[\w#*]+\]|\|[\w -]+\|)/m, // rst targets, footnotes, substitutions
  /^:[\w .-]+:(\s|$)/, // rst field lists: :param x:, :returns:
  /^!!!\s+\w+/, // MkDocs admonitions
  /^(\{%|\{\{).*(%\}|\}\})\s*$/s, // Jinja / Liquid templating
  /^<\/?[A-Za-z][\w.-]*(\s[^>]*)?\/?>\s*$/s, // a lone tag (MDX component, leftover HTML)
  /^\[[^\]]+\]:\s*\S+\s*$/, // a markdown link definition
];
const NAVIGATION = [
  /^(next|previous|prev|up|home|back to top|top|index|modules|contents|table of contents|on this page|this page|show source|edit this page|edit on github|view page source|quick search|navigation|search|menu|skip to (main )?content)\b[\s:»›|·]*$/i,
  /^(previous|next) (topic|page|chapter|section)\b/i,
  /(^|\s)(»|›|‹|«)(\s|$).*(»|›|‹|«)/, // breadcrumbs: Docs » Library » pickle
  /^\S+( \| \S+){2,}\s*$/, // index | modules | next | previous
  /(©|copyright\s+(©|\(c\)|\d{4}))/i,
  /^(created using|built with|powered by) (sphinx|mkdocs|docusaurus|hugo|jekyll)/i,
  /^last (updated|modified)( on)?\b/i,
];
const VERSION_NOTE =
  /^(changed|new|added|deprecated|removed) (in|since) version\b|^\.\.\s+(versionchanged|versionadded|deprecated)::/i;
const SHELL_PROMPT = /^(\$|>>>|\.\.\.|%|>|PS>|C:\\>)\s/;
const CODE_LINE_START =
  /^(import|export|from|const|let|var|function|def|class|return|async|await|if|for|while|public|private|package|#include|using|fn|impl|struct|SELECT|INSERT|CREATE)\b.*[(){}=;:<>[\]]/;
const CODE_TOKENS = /=>|\)\s*[{;]|;\s*$|\{\s*$|^\s*[})\]];?\s*$|::\w|\w\(\)|\$\{|<\/\w+>/m;
// A lone API signature line, as Sphinx and other API docs print a definition's title:
// `pickle.DEFAULT_PROTOCOL`, `class pickle.Pickler(file, protocol=None)`, `persistent_load(pid)`.
const API_SIGNATURE =
  /^((class|exception|function|method|attribute|data|async|static|classmethod|staticmethod|property|def|coroutine)\s+)*[A-Za-z_][\w]*(\.[A-Za-z_]\w*)*(\(.*\)|\.[A-Za-z_]\w*)(\s*(->|:)\s*\S.*)?$/;
const LINK_ONLY = /^([-*+]\s+)?\[[^\]]+\]\([^)]*\)[\s.,;|]*$/;

/** The share of non-space characters that are code punctuation. */
function symbolDensity(text: string): number {
  let symbols = 0;
  let visible = 0;
  for (const char of text) {
    if (/\s/u.test(char)) continue;
    visible++;
    if ('{}[]()<>;=$\\/|&*_^~`#@'.includes(char)) symbols++;
  }
  return visible === 0 ? 0 : symbols / visible;
}

function looksLikeCode(text: string): boolean {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  if (lines.some((l) => SHELL_PROMPT.test(l.trimStart()))) return true;
  const codeLines = lines.filter(
    (l) =>
      CODE_LINE_START.test(l.trimStart()) ||
      /^( {4,}|\t)\S/.test(l) ||
      (CODE_TOKENS.test(l) && symbolDensity(l) > 0.08),
  ).length;
  if (codeLines > 0 && codeLines * 2 >= lines.length) return true;
  // Prose has few symbols; code and config have many and few words.
  const words = text.match(/\p{L}{2,}/gu)?.length ?? 0;
  return symbolDensity(text) > 0.22 && words < 12;
}

/**
 * Classifies one sentence of a passage. `inFence` says whether it lies in a fenced code block of its
 * passage (see `fencedSpans`); the other kinds are recognised from the text itself.
 */
export function sentenceKind(sentence: string, inFence = false): SentenceKind {
  const text = sentence.trim();
  if (inFence || FENCE.test(text)) return 'code';
  if (HEADING.test(text)) return 'heading';
  if (DIRECTIVE.some((re) => re.test(text))) return VERSION_NOTE.test(text) ? 'version-note' : 'directive';
  if (LINK_ONLY.test(text) || NAVIGATION.some((re) => re.test(text))) return 'navigation';
  if (/^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$/.test(text)) return 'navigation'; // a table rule
  if (looksLikeCode(text) || (!text.includes('\n') && API_SIGNATURE.test(text))) return 'code';
  if (VERSION_NOTE.test(text)) return 'version-note';
  return 'prose';
}

const CODE_QUESTION =
  /`|\w\(\)|\b\w+\.\w+\(|\b[a-z]+[A-Z][A-Za-z]*\b|\b[a-z]+_[a-z_]+\b|(^|\s)--?[a-z][\w-]*|\b(code|example|snippet|syntax|command|commands|signature|function|method|class|import|script|shell|terminal|cli)\b|代码|示例|命令|函数/;

/** Whether a question asks about code, so code may answer it. */
export function asksAboutCode(question: string): boolean {
  return CODE_QUESTION.test(question);
}
