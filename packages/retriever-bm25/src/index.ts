export type {
  Analyzer,
  AnalyzerConfig,
  AnalyzerName,
  AutoAnalyzerConfig,
  CjkAnalyzerConfig,
  CjkBigramMode,
  EnglishAnalyzerConfig,
  StandardAnalyzerConfig,
  WhitespaceAnalyzerConfig,
} from './analyzer.js';
export { type AutoAnalyzerOptions, createAutoAnalyzer } from './auto-analyzer.js';
export { BM25_PRESETS, type Bm25Parameters, type Bm25Preset } from './bm25-parameters.js';
export {
  type Bm25Retriever,
  type Bm25RetrieverOptions,
  type Bm25UpsertOptions,
  bm25RetrieverFromBytes,
  createBm25Retriever,
  isPersistentBm25Retriever,
  type LoadBm25RetrieverOptions,
  loadBm25Retriever,
  openBm25Retriever,
  type PersistentBm25Retriever,
} from './bm25-retriever.js';
export { type CjkAnalyzerOptions, createCjkAnalyzer } from './cjk-analyzer.js';
export { createAnalyzer } from './create-analyzer.js';
export { createEnglishAnalyzer, type EnglishAnalyzerOptions } from './english-analyzer.js';
export { ENGLISH_STOP_WORDS } from './english-stopwords.js';
export { INDEX_FORMAT_VERSION } from './index-file-format.js';
export type { IndexStatistics } from './inverted-index.js';
export { ragloomPlugin } from './ragloom-plugin.js';
export { createStandardAnalyzer, type StandardAnalyzerOptions } from './standard-analyzer.js';
export { createWhitespaceAnalyzer } from './whitespace-analyzer.js';
