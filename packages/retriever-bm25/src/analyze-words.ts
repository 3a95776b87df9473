import type { CjkRunSplitter } from './dictionary-segmenter.js';
import { splitLongToken } from './term-filters.js';
import { forEachWord } from './word-tokenizer.js';

/**
 * The analysis loop every built-in analyzer shares: UAX #29 words (split at Lucene's maximum token
 * length) through `wordTerm` (undefined drops the word), dictionary-script runs through `runs`.
 */
export function analyzeWords(
  text: string,
  wordTerm: (word: string) => string | undefined,
  runs: CjkRunSplitter,
): string[] {
  const terms: string[] = [];
  const push = (term: string) => terms.push(term);
  forEachWord(
    text,
    (word) =>
      splitLongToken(word, (piece) => {
        const term = wordTerm(piece);
        if (term !== undefined) terms.push(term);
      }),
    (run) => runs.split(run, push),
  );
  return terms;
}
