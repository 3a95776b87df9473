import { analyzeWords } from './analyze-words.js';
import type { Analyzer, CjkAnalyzerConfig } from './analyzer.js';
import { resolveCjkSettings } from './dictionary-segmenter.js';
import { configuredAnalyzerId, stopwordSet, stopwordsIdPart } from './term-filters.js';

export type CjkAnalyzerOptions = Omit<CjkAnalyzerConfig, 'type'>;

/**
 * Chinese/Japanese analysis: NFKC (full-width Latin and half-width kana folded, as Lucene's
 * CJKWidthFilter), lowercase, dictionary word segmentation with `Intl.Segmenter`, and character
 * bigrams where the dictionary misses (see createCjkRunSplitter). Other words are kept whole
 * (lowercased, English stop words removed, no stemming), as in Lucene's CJKAnalyzer.
 */
export function createCjkAnalyzer(options: CjkAnalyzerOptions = {}): Analyzer {
  const { locale, bigrams, runs, idSettings } = resolveCjkSettings(options);
  const stopwords = stopwordSet(options.stopwords, 'cjk analyzer');
  const stopwordsPart = stopwordsIdPart(stopwords);
  const keepWord = (word: string) => (stopwords.has(word) ? undefined : word);
  return {
    id: configuredAnalyzerId('cjk-v1', [...idSettings, ['stopwords', stopwordsPart]]),
    config: {
      type: 'cjk',
      locale,
      bigrams,
      ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
    },
    analyze: (text) => analyzeWords(text.normalize('NFKC').toLowerCase(), keepWord, runs),
  };
}
