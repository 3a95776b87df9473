import type { Analyzer, AutoAnalyzerConfig } from './analyzer.js';
import { createCjkRunSplitter } from './dictionary-segmenter.js';
import { createEnglishWordFilter } from './english-analyzer.js';
import { configuredAnalyzerId, splitLongToken, stopwordSet, stopwordsIdPart } from './term-filters.js';
import { forEachWord } from './word-tokenizer.js';

export type AutoAnalyzerOptions = Omit<AutoAnalyzerConfig, 'type'>;

/**
 * For mixed-language corpora: the script of each stretch of text picks its analysis. Chinese and
 * Japanese runs get the CJK analyzer's treatment (NFKC, dictionary words, bigram fallback); other
 * words get the English analyzer's (possessives, stop words, Porter). Deciding per stretch rather than
 * per document means a word gets the same term whether it sits in an English or a Chinese text, so an
 * English query still finds the English words inside a Chinese document.
 */
export function createAutoAnalyzer(options: AutoAnalyzerOptions = {}): Analyzer {
  const locale = options.locale ?? 'zh';
  const bigrams = options.bigrams ?? 'fallback';
  const stem = options.stem ?? true;
  const stopwords = stopwordSet(options.stopwords, 'auto analyzer');
  const filter = createEnglishWordFilter(stopwords, stem);
  const runs = createCjkRunSplitter(locale, bigrams);
  const stopwordsPart = stopwordsIdPart(stopwords);
  const config: AutoAnalyzerConfig = {
    type: 'auto',
    locale,
    bigrams,
    ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
    ...(stem ? {} : { stem: false }),
  };
  return {
    id: configuredAnalyzerId('auto-v1', [
      ['locale', locale === 'zh' ? undefined : locale],
      ['bigrams', bigrams === 'fallback' ? undefined : bigrams],
      ['stem', stem ? undefined : 'false'],
      ['stopwords', stopwordsPart],
      ['dictionary', runs.hasDictionary ? undefined : 'none'],
    ]),
    config,
    analyze(text) {
      const terms: string[] = [];
      const push = (term: string) => terms.push(term);
      forEachWord(
        text.normalize('NFKC'),
        (word) =>
          splitLongToken(word, (piece) => {
            const term = filter(piece);
            if (term !== undefined) terms.push(term);
          }),
        (run) => runs.split(run, push),
      );
      return terms;
    },
  };
}
