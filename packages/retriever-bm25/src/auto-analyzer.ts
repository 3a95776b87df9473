import { analyzeWords } from './analyze-words.js';
import type { Analyzer, AutoAnalyzerConfig } from './analyzer.js';
import { resolveCjkSettings } from './dictionary-segmenter.js';
import { createEnglishWordFilter } from './english-analyzer.js';
import { configuredAnalyzerId, stopwordSet, stopwordsIdPart } from './term-filters.js';

export type AutoAnalyzerOptions = Omit<AutoAnalyzerConfig, 'type'>;

/**
 * For mixed-language corpora: the script of each stretch of text picks its analysis. Chinese and
 * Japanese runs get the CJK analyzer's treatment (NFKC, dictionary words, bigram fallback); other
 * words get the English analyzer's (possessives, stop words, Porter). Deciding per stretch rather than
 * per document means a word gets the same term whether it sits in an English or a Chinese text, so an
 * English query still finds the English words inside a Chinese document.
 */
export function createAutoAnalyzer(options: AutoAnalyzerOptions = {}): Analyzer {
  const { locale, bigrams, runs, idSettings } = resolveCjkSettings(options);
  const stem = options.stem ?? true;
  const stopwords = stopwordSet(options.stopwords, 'auto analyzer');
  const filter = createEnglishWordFilter(stopwords, stem);
  const stopwordsPart = stopwordsIdPart(stopwords);
  return {
    id: configuredAnalyzerId('auto-v1', [
      ...idSettings,
      ['stem', stem ? undefined : 'false'],
      ['stopwords', stopwordsPart],
    ]),
    config: {
      type: 'auto',
      locale,
      bigrams,
      ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
      ...(stem ? {} : { stem: false }),
    },
    analyze: (text) => analyzeWords(text.normalize('NFKC'), filter, runs),
  };
}
