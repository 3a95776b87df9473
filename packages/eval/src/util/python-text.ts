/**
 * Python `str` semantics the official evaluation scripts rely on. JavaScript differs in small ways
 * that change scores: `\s` and `trim()` use another whitespace set, `\b` and `\w` are ASCII-only,
 * and Python's `$` also matches before a final newline. These helpers reproduce Python 3 exactly.
 */

/** The characters for which Python's `str.isspace()` is true (and that `str.split()` splits on). */
export const PY_WHITESPACE =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
/** Python's `\s` / `\S` / `\w` for Unicode str patterns, as regex-source fragments (use with the `u` flag). */
export const PY_S = `[${PY_WHITESPACE}]`;
export const PY_NOT_S = `[^${PY_WHITESPACE}]`;
export const PY_W = '[\\p{L}\\p{N}_]';
/** Python's `[^\W\d]`: word characters that are not decimal digits. */
export const PY_LETTER = '[\\p{L}\\p{Nl}\\p{No}_]';
/** Python's `$` without MULTILINE: end of string, or just before a newline that ends it. */
export const PY_END = '(?=\\n?$)';

const whitespaceRun = new RegExp(`${PY_S}+`, 'u');
const leadingWhitespace = new RegExp(`^${PY_S}+`, 'u');
const trailingWhitespace = new RegExp(`${PY_S}+$`, 'u');

/** Python's `str.split()` with no arguments. */
export function pySplit(text: string): string[] {
  return text.split(whitespaceRun).filter((part) => part.length > 0);
}

/** Python's `str.strip()` with no arguments. */
export function pyStrip(text: string): string {
  return text.replace(leadingWhitespace, '').replace(trailingWhitespace, '');
}

/** Python's `str.rstrip()` with no arguments. */
export function pyRstrip(text: string): string {
  return text.replace(trailingWhitespace, '');
}

/**
 * Python's `str.lower()`. JavaScript's toLowerCase applies the same Unicode full case mapping
 * (including final sigma), so this is an alias that documents the intent.
 */
export function pyLower(text: string): string {
  return text.toLowerCase();
}

/** The ASCII punctuation of Python's `string.punctuation`. */
export const PY_PUNCTUATION = new Set('!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~');

/** Python's `string.whitespace` (ASCII only). */
export const PY_ASCII_WHITESPACE = new Set(' \t\n\r\x0b\x0c');
