import { RagloomError } from '@ragloom/core';
import type { CjkBigramMode } from './analyzer.js';
import { isCjkWord, isSingleCjkChar } from './word-tokenizer.js';

/** Splits runs of CJK (and Thai, Khmer, ...) text into words; see createCjkRunSplitter. */
export interface CjkRunSplitter {
  /** Whether the runtime segments Chinese/Japanese with a dictionary (full ICU); otherwise bigrams only. */
  readonly hasDictionary: boolean;
  split(run: string, emit: (term: string) => void): void;
}

function createSegmenter(locale: string): Intl.Segmenter | undefined {
  if (typeof Intl === 'undefined' || typeof Intl.Segmenter !== 'function') return undefined;
  try {
    return new Intl.Segmenter(locale, { granularity: 'word' });
  } catch (cause) {
    throw new RagloomError('INVALID_ARGUMENT', `invalid locale "${locale}" for the CJK analyzer`, { cause });
  }
}

// A runtime with small ICU data (or none) splits Han text into single characters: no dictionary.
function segmenterHasDictionary(segmenter: Intl.Segmenter | undefined): boolean {
  if (segmenter === undefined) return false;
  const words = [...segmenter.segment('中华人民共和国成立')].filter((s) => s.isWordLike);
  return words.some((w) => w.segment.length > 1);
}

function emitBigrams(chars: readonly string[], emit: (term: string) => void): void {
  if (chars.length === 1) emit(chars[0]!);
  for (let i = 1; i < chars.length; i++) emit(chars[i - 1]! + chars[i]!);
}

/**
 * Word segmentation for text without spaces, on `Intl.Segmenter` (ICU's dictionary for Chinese and
 * Japanese, its line-break dictionaries for Thai, Lao, Khmer, Myanmar).
 *
 * Bigram modes:
 * - 'fallback': dictionary words; where the dictionary misses (a stretch of single-character
 *   segments: names, rare words), overlapping character bigrams instead, as Lucene's CJKAnalyzer does;
 * - 'always': bigrams of every CJK run, ignoring the dictionary (Lucene's CJKAnalyzer);
 * - 'never': dictionary words only.
 * Without dictionary data in the runtime, every mode uses bigrams for Han and kana.
 */
export function createCjkRunSplitter(locale: string, mode: CjkBigramMode): CjkRunSplitter {
  const segmenter = createSegmenter(locale);
  const hasDictionary = segmenterHasDictionary(segmenter);
  const bigramsOnly = mode === 'always' || !hasDictionary;
  return {
    hasDictionary,
    split(run, emit) {
      if (segmenter === undefined) {
        emitBigrams([...run], emit);
        return;
      }
      // CJK characters waiting to be emitted as bigrams.
      let pending: string[] = [];
      const flush = () => {
        if (pending.length > 0) emitBigrams(pending, emit);
        pending = [];
      };
      for (const segment of segmenter.segment(run)) {
        if (!segment.isWordLike) continue;
        const word = segment.segment;
        if (isCjkWord(word) && (bigramsOnly || (mode === 'fallback' && isSingleCjkChar(word)))) {
          for (const char of word) pending.push(char);
          continue;
        }
        flush();
        emit(word);
      }
      flush();
    },
  };
}

/** The CJK settings of the cjk and auto analyzers, resolved, with the parts they add to an analyzer id. */
export function resolveCjkSettings(options: { readonly locale?: string; readonly bigrams?: CjkBigramMode }): {
  locale: string;
  bigrams: CjkBigramMode;
  runs: CjkRunSplitter;
  idSettings: [string, string | undefined][];
} {
  const locale = options.locale ?? 'zh';
  const bigrams = options.bigrams ?? 'fallback';
  if (!['fallback', 'always', 'never'].includes(bigrams)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `bigrams must be 'fallback', 'always' or 'never', got ${JSON.stringify(bigrams)}`,
    );
  }
  const runs = createCjkRunSplitter(locale, bigrams);
  return {
    locale,
    bigrams,
    runs,
    idSettings: [
      ['locale', locale === 'zh' ? undefined : locale],
      ['bigrams', bigrams === 'fallback' ? undefined : bigrams],
      // Without ICU dictionary data the terms are bigrams: an index built so must not be mixed with one built with words.
      ['dictionary', runs.hasDictionary ? undefined : 'none'],
    ],
  };
}
