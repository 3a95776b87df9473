/**
 * An analyzer turns text into index terms. Documents and queries go through the same analyzer, and its
 * `id` is stored in the index manifest: opening an index with an analyzer that makes other terms is a
 * `MANIFEST_MISMATCH`, not silently empty results.
 */
export interface Analyzer {
  /** Stable id; change it whenever the terms produced for some text change. */
  readonly id: string;
  analyze(text: string): string[];
  /** Built-in analyzers carry their settings, so an index file can rebuild its analyzer on load. */
  readonly config?: AnalyzerConfig;
}

/** How CJK runs are split: dictionary words with bigrams where the dictionary misses, bigrams only, or words only. */
export type CjkBigramMode = 'fallback' | 'always' | 'never';

export interface EnglishAnalyzerConfig {
  readonly type: 'english';
  /** Default: Lucene's English stop words. `[]` keeps every word. */
  readonly stopwords?: readonly string[];
  /** Porter stemming (default true). */
  readonly stem?: boolean;
}

export interface CjkAnalyzerConfig {
  readonly type: 'cjk';
  /** Locale for `Intl.Segmenter` word segmentation (default 'zh'; 'ja' for Japanese). */
  readonly locale?: string;
  /** Default 'fallback'. */
  readonly bigrams?: CjkBigramMode;
  /** Stop words for non-CJK words (default: Lucene's English stop words, as Lucene's CJKAnalyzer). */
  readonly stopwords?: readonly string[];
}

export interface AutoAnalyzerConfig {
  readonly type: 'auto';
  readonly locale?: string;
  readonly bigrams?: CjkBigramMode;
  readonly stopwords?: readonly string[];
  readonly stem?: boolean;
}

export interface StandardAnalyzerConfig {
  readonly type: 'standard';
  /** Default none. */
  readonly stopwords?: readonly string[];
}

export interface WhitespaceAnalyzerConfig {
  readonly type: 'whitespace';
}

export type AnalyzerConfig =
  | EnglishAnalyzerConfig
  | CjkAnalyzerConfig
  | AutoAnalyzerConfig
  | StandardAnalyzerConfig
  | WhitespaceAnalyzerConfig;

export type AnalyzerName = AnalyzerConfig['type'];
