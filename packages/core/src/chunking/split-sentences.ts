import { type Span, trimSpan } from './text-spans.js';

// Terminators that end a sentence with no space after them (Chinese/Japanese full-width punctuation).
const CJK_TERMINATORS = new Set(['。', '！', '？', '．', '｡']);
const LATIN_TERMINATORS = new Set(['.', '!', '?', '…']);
// Closing quotes and brackets that belong to the sentence they follow: 他说：“你好。” → one sentence.
const CLOSERS = new Set(['"', "'", '”', '’', '」', '』', '）', ')', ']', '】', '》', '〉', '»']);
// Words that end with a period without ending a sentence (compared lowercased, without the period).
const ABBREVIATIONS = new Set([
  'mr',
  'mrs',
  'ms',
  'dr',
  'prof',
  'sr',
  'jr',
  'st',
  'mt',
  'vs',
  'etc',
  'e.g',
  'i.e',
  'cf',
  'al',
  'approx',
  'no',
  'nos',
  'fig',
  'figs',
  'eq',
  'vol',
  'pp',
  'p',
  'ch',
  'sec',
  'inc',
  'ltd',
  'co',
  'corp',
  'dept',
  'est',
  'u.s',
  'u.k',
  'a.m',
  'p.m',
  'jan',
  'feb',
  'mar',
  'apr',
  'jun',
  'jul',
  'aug',
  'sep',
  'sept',
  'oct',
  'nov',
  'dec',
  'gen',
  'col',
  'lt',
  'sgt',
  'capt',
  'gov',
  'rev',
  'hon',
  'ph.d',
]);

const HEADING_LINE = /^#{1,6}\s/;
const NEXT_IS_HEADING = /^\n[ \t]*#{1,6}\s/;

const isWhitespace = (ch: string | undefined) => ch !== undefined && /\s/u.test(ch);
const isLowercaseStart = (ch: string | undefined) => ch !== undefined && /\p{Ll}/u.test(ch);

/** The word (letters, digits, inner periods) that ends right before `index`. */
function wordBefore(text: string, index: number): string {
  let i = index;
  while (i > 0 && /[\p{L}\p{N}.]/u.test(text[i - 1]!)) i--;
  return text.slice(i, index);
}

function periodEndsSentence(text: string, at: number, next: string | undefined): boolean {
  if (isLowercaseStart(next)) return false; // "e.g. this", "3 p.m. on Monday"
  const word = wordBefore(text, at).toLowerCase();
  if (ABBREVIATIONS.has(word)) return false;
  if (/^\p{L}$/u.test(word) && /\p{Lu}/u.test(wordBefore(text, at))) return false; // initials: "J. Smith"
  return true;
}

/**
 * Splits text into sentences and returns their spans (trimmed, in order). Rules: a blank line always
 * ends a sentence, and a markdown heading line is a sentence of its own; CJK full-width terminators (。！？) end one immediately, with closing quotes or
 * brackets kept; Latin terminators (. ! ? …) end one when followed by whitespace and not by a
 * lowercase letter, except after common abbreviations and single-letter initials.
 */
export function splitSentences(text: string, span: Span = { start: 0, end: text.length }): Span[] {
  const sentences: Span[] = [];
  let start = span.start;
  const push = (end: number) => {
    const s = trimSpan(text, { start, end });
    if (s.end > s.start) sentences.push(s);
    start = end;
  };
  let i = span.start;
  while (i < span.end) {
    const ch = text[i]!;
    // A markdown heading line is a sentence of its own, whatever punctuation it has.
    if (
      ch === '\n' &&
      (HEADING_LINE.test(text.slice(start, i).trimStart()) || NEXT_IS_HEADING.test(text.slice(i, i + 16)))
    ) {
      push(i);
      i++;
      continue;
    }
    if (ch === '\n' && /^\n[ \t]*\n/.test(text.slice(i, Math.min(span.end, i + 64)))) {
      push(i);
      while (i < span.end && isWhitespace(text[i])) i++;
      start = i;
      continue;
    }
    const cjk = CJK_TERMINATORS.has(ch);
    if (cjk || LATIN_TERMINATORS.has(ch)) {
      let end = i + 1;
      while (end < span.end && (LATIN_TERMINATORS.has(text[end]!) || CJK_TERMINATORS.has(text[end]!))) end++;
      while (end < span.end && CLOSERS.has(text[end]!)) end++;
      if (cjk) {
        push(end);
        i = end;
        continue;
      }
      if (end >= span.end || isWhitespace(text[end])) {
        let next = end;
        while (next < span.end && isWhitespace(text[next])) next++;
        if (next >= span.end || ch !== '.' || periodEndsSentence(text, i, text[next])) {
          push(end);
          i = next;
          start = next;
          continue;
        }
      }
      i = end;
      continue;
    }
    i++;
  }
  push(span.end);
  return sentences;
}
