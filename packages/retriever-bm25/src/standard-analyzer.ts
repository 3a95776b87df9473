import type { Analyzer, StandardAnalyzerConfig } from './analyzer.js';
import { createCjkRunSplitter } from './dictionary-segmenter.js';
import { configuredAnalyzerId, splitLongToken, stopwordSet, stopwordsIdPart } from './term-filters.js';
import { forEachWord } from './word-tokenizer.js';

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
    id: configuredAnalyzerId('standard-v1', [['stopwords', stopwordsPart]]),
    config,
    analyze(text) {
      const terms: string[] = [];
      const push = (term: string) => terms.push(term);
      forEachWord(
        text,
        (word) =>
          splitLongToken(word, (piece) => {
            const term = piece.toLowerCase();
            if (!stopwords.has(term)) terms.push(term);
          }),
        (run) => runs.split(run, push),
      );
      return terms;
    },
  };
}
