import type { Analyzer, CjkAnalyzerConfig } from './analyzer.js';
import { createCjkRunSplitter } from './dictionary-segmenter.js';
import { configuredAnalyzerId, splitLongToken, stopwordSet, stopwordsIdPart } from './term-filters.js';
import { forEachWord } from './word-tokenizer.js';

export type CjkAnalyzerOptions = Omit<CjkAnalyzerConfig, 'type'>;

/**
 * Chinese/Japanese analysis: NFKC (full-width Latin and half-width kana folded, as Lucene's
 * CJKWidthFilter), lowercase, dictionary word segmentation with `Intl.Segmenter`, and character
 * bigrams where the dictionary misses (see createCjkRunSplitter). Other words are kept whole
 * (lowercased, English stop words removed, no stemming), as in Lucene's CJKAnalyzer.
 */
export function createCjkAnalyzer(options: CjkAnalyzerOptions = {}): Analyzer {
  const locale = options.locale ?? 'zh';
  const bigrams = options.bigrams ?? 'fallback';
  const stopwords = stopwordSet(options.stopwords, 'cjk analyzer');
  const runs = createCjkRunSplitter(locale, bigrams);
  const stopwordsPart = stopwordsIdPart(stopwords);
  const config: CjkAnalyzerConfig = {
    type: 'cjk',
    locale,
    bigrams,
    ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
  };
  return {
    id: configuredAnalyzerId('cjk-v1', [
      ['locale', locale === 'zh' ? undefined : locale],
      ['bigrams', bigrams === 'fallback' ? undefined : bigrams],
      ['stopwords', stopwordsPart],
      // Without ICU dictionary data the terms are bigrams: an index built so must not be mixed with one built with words.
      ['dictionary', runs.hasDictionary ? undefined : 'none'],
    ]),
    config,
    analyze(text) {
      const terms: string[] = [];
      const push = (term: string) => terms.push(term);
      forEachWord(
        text.normalize('NFKC').toLowerCase(),
        (word) =>
          splitLongToken(word, (piece) => {
            if (!stopwords.has(piece)) terms.push(piece);
          }),
        (run) => runs.split(run, push),
      );
      return terms;
    },
  };
}
