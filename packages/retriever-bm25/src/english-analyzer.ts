import { analyzeWords } from './analyze-words.js';
import type { Analyzer, EnglishAnalyzerConfig } from './analyzer.js';
import { createCjkRunSplitter } from './dictionary-segmenter.js';
import {
  configuredAnalyzerId,
  createPorterStemmer,
  MEMO_LIMIT,
  removePossessive,
  stopwordSet,
  stopwordsIdPart,
} from './term-filters.js';

export type EnglishAnalyzerOptions = Omit<EnglishAnalyzerConfig, 'type'>;

/**
 * The filter chain of Lucene's EnglishAnalyzer for one word: possessive removal, lowercase, stop
 * words, Porter stemming. Returns undefined for a stop word.
 */
export function createEnglishWordFilter(
  stopwords: ReadonlySet<string>,
  stem: boolean,
): (word: string) => string | undefined {
  const porter = stem ? createPorterStemmer() : undefined;
  // Words repeat a lot: remember each surface form's term (null for a stop word). Bounded, see below.
  const memo = new Map<string, string | null>();
  return (word) => {
    let term = memo.get(word);
    if (term === undefined) {
      const lower = removePossessive(word).toLowerCase();
      term = lower.length === 0 || stopwords.has(lower) ? null : porter ? porter(lower) : lower;
      if (memo.size >= MEMO_LIMIT) memo.clear();
      memo.set(word, term);
    }
    return term ?? undefined;
  };
}

/**
 * English analysis comparable to Lucene's EnglishAnalyzer (what Anserini/Pyserini BM25 baselines use):
 * UAX #29 words (Lucene's StandardTokenizer), possessive removal, lowercase, Lucene's English stop
 * words, Porter stemming. Chinese/Japanese/Thai runs are split into dictionary words (`Intl.Segmenter`).
 */
export function createEnglishAnalyzer(options: EnglishAnalyzerOptions = {}): Analyzer {
  const stopwords = stopwordSet(options.stopwords, 'english analyzer');
  const stem = options.stem ?? true;
  const filter = createEnglishWordFilter(stopwords, stem);
  const runs = createCjkRunSplitter('en', 'never');
  const stopwordsPart = stopwordsIdPart(stopwords);
  const config: EnglishAnalyzerConfig = {
    type: 'english',
    ...(stopwordsPart === undefined ? {} : { stopwords: [...stopwords] }),
    ...(stem ? {} : { stem: false }),
  };
  return {
    id: configuredAnalyzerId('english-v1', [
      ['stem', stem ? undefined : 'false'],
      ['stopwords', stopwordsPart],
      ['dictionary', runs.hasDictionary ? undefined : 'none'],
    ]),
    config,
    analyze: (text) => analyzeWords(text, filter, runs),
  };
}
