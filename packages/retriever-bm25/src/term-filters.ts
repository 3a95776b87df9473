import { RagloomError } from '@ragloom/core';
import { stemmer } from 'stemmer';
import { ENGLISH_STOP_WORDS } from './english-stopwords.js';

/** Lucene's StandardTokenizer splits longer tokens at this length; so do we (base64 blobs, URLs). */
export const MAX_TOKEN_LENGTH = 255;

/** Splits a token longer than MAX_TOKEN_LENGTH into pieces, as Lucene's StandardTokenizer does. */
export function splitLongToken(token: string, emit: (piece: string) => void): void {
  if (token.length <= MAX_TOKEN_LENGTH) {
    emit(token);
    return;
  }
  for (let i = 0; i < token.length; i += MAX_TOKEN_LENGTH) emit(token.slice(i, i + MAX_TOKEN_LENGTH));
}

/** Lucene's EnglishPossessiveFilter: a trailing 's (with ', ’ or ＇) is removed. */
export function removePossessive(word: string): string {
  const n = word.length;
  if (n < 2) return word;
  const last = word.charCodeAt(n - 1);
  if (last !== 0x73 && last !== 0x53) return word; // s, S
  const quote = word.charCodeAt(n - 2);
  return quote === 0x27 || quote === 0x2019 || quote === 0xff07 ? word.slice(0, n - 2) : word;
}

/**
 * Corpora repeat words, so analyzers memoise per-word work. The memo is per analyzer (no global
 * state) and cleared when it reaches this size, so a long-lived analyzer fed an endless stream of new
 * words cannot grow without limit.
 */
export const MEMO_LIMIT = 200_000;

/** Porter stemming (the `stemmer` package: Porter's original algorithm, as Lucene's PorterStemFilter). */
export function createPorterStemmer(): (word: string) => string {
  return (word) => stemmer(word);
}

/** Validates a stop word list and returns it as a lowercase set. */
export function stopwordSet(stopwords: readonly string[] | undefined, where: string): ReadonlySet<string> {
  const list = stopwords ?? ENGLISH_STOP_WORDS;
  if (!Array.isArray(list) || list.some((w) => typeof w !== 'string')) {
    throw new RagloomError('INVALID_ARGUMENT', `${where}.stopwords must be an array of strings`);
  }
  return new Set(list.map((w) => w.toLowerCase()));
}

// FNV-1a 32 bit: a short, stable fingerprint of a custom stop word list for analyzer ids.
function fnv1a(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(16).padStart(8, '0');
}

/**
 * The id of a configured built-in analyzer: the base id, plus every setting that differs from the
 * default, e.g. `english-v1(stem=false,stopwords=2f1c0a9e)`. Same settings, same id.
 */
export function configuredAnalyzerId(
  base: string,
  settings: readonly (readonly [name: string, value: string | undefined])[],
): string {
  const parts = settings.filter(([, v]) => v !== undefined).map(([k, v]) => `${k}=${v}`);
  return parts.length === 0 ? base : `${base}(${parts.join(',')})`;
}

/** The id fragment for a stop word list: undefined for the default list. */
export function stopwordsIdPart(
  set: ReadonlySet<string>,
  defaults: readonly string[] = ENGLISH_STOP_WORDS,
): string | undefined {
  const same = set.size === defaults.length && defaults.every((w) => set.has(w));
  if (same) return undefined;
  return set.size === 0 ? 'none' : fnv1a([...set].sort().join('\n'));
}
