/** A half-open range [start, end) of UTF-16 offsets into a source text. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

const isSpace = (code: number) =>
  code === 0x20 || (code >= 0x09 && code <= 0x0d) || code === 0xa0 || code === 0x3000 || code === 0xfeff;

/** The span without leading and trailing whitespace (possibly empty). */
export function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end - 1))) end--;
  return { start, end };
}

/** Splits [start, end) after every occurrence of `separator`, keeping the separator with the left piece. */
export function splitAfter(text: string, span: Span, separator: string): Span[] {
  const pieces: Span[] = [];
  let from = span.start;
  for (;;) {
    const at = text.indexOf(separator, from);
    if (at === -1 || at + separator.length > span.end) break;
    const cut = at + separator.length;
    if (cut > from) pieces.push({ start: from, end: cut });
    from = cut;
  }
  if (from < span.end) pieces.push({ start: from, end: span.end });
  return pieces;
}

/** Splits into single code points, never between the halves of a surrogate pair. */
export function splitCodePoints(text: string, span: Span): Span[] {
  const pieces: Span[] = [];
  let i = span.start;
  while (i < span.end) {
    const code = text.charCodeAt(i);
    const width = code >= 0xd800 && code <= 0xdbff && i + 1 < span.end ? 2 : 1;
    pieces.push({ start: i, end: i + width });
    i += width;
  }
  return pieces;
}
