import { analyzeWords } from './analyze-words.js';
import type { Analyzer, StandardAnalyzerConfig } from './analyzer.js';
import { createCjkRunSplitter } from './dictionary-segmenter.js';
import { configuredAnalyzerId, stopwordSet, stopwordsIdPart } from './term-filters.js';

export type StandardAnalyzerOptions = Omit<StandardAnalyzerConfig, 'type'>;

/**
 * Language-neutral analysis, like Lucene's StandardAnalyzer: UAX #29 words, lowercase, optional stop
 * words, no stemming; Chinese/Japanese/Thai runs split into dictionary words. A sound default for
 * languages without a dedicated analyzer.
 */
export function createStandardAnalyzer(options: StandardAnalyzerOptions = {}): Analyzer {
  const stopwords = stopwordSet(options.stopwords ?? [], 'standard analyzer');
  const runs = createCjkRunSplitter('en', 'never');
  const stopwordsPart = stopwordsIdPart(stopwords, []);
  const config: StandardAnalyzerConfig = {
    type: 'standard',
    ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
  };
  return {
    id: configuredAnalyzerId('standard-v1', [
      ['stopwords', stopwordsPart],
      ['dictionary', runs.hasDictionary ? undefined : 'none'],
    ]),
    config,
    analyze: (text) =>
      analyzeWords(
        text,
        (word) => {
          const term = word.toLowerCase();
          return stopwords.has(term) ? undefined : term;
        },
        runs,
      ),
  };
}
