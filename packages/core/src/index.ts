export type { ChunkSizeOptions } from './chunking/chunk-options.js';
export {
  createMarkdownChunker,
  type MarkdownChunkerOptions,
  type MarkdownSection,
  markdownSections,
} from './chunking/markdown-chunker.js';
export {
  createRecursiveChunker,
  DEFAULT_SEPARATORS,
  type RecursiveChunkerOptions,
} from './chunking/recursive-chunker.js';
export { createSentenceChunker, type SentenceChunkerOptions } from './chunking/sentence-chunker.js';
export { splitSentences } from './chunking/split-sentences.js';
export type { Span } from './chunking/text-spans.js';
export { validateEmbedRequest } from './encoder/validate-embed-request.js';
export {
  isRagloomError,
  RAGLOOM_ERROR_CODES,
  RagloomError,
  type RagloomErrorCode,
  type RagloomErrorOptions,
} from './errors/ragloom-error.js';
export { formatDateTimeMicros, parseDateTimeMicros } from './filter/datetime.js';
export {
  compileFilter,
  compileFilterNode,
  type MetadataPredicate,
  matchesFilter,
  metadataField,
} from './filter/evaluate-filter.js';
export { FILTER_EXAMPLES, FILTER_GRAMMAR_DESCRIPTION } from './filter/filter-description.js';
export type {
  FieldCondition,
  FieldNode,
  FieldOperator,
  FieldOperators,
  Filter,
  FilterNode,
  RangeBound,
} from './filter/filter-types.js';
export { isDateTimeString, MAX_FILTER_DEPTH, parseDateTime, parseFilter } from './filter/parse-filter.js';
export {
  type FusedHit,
  type FusionOptions,
  reciprocalRankFusion,
  type ScoreNormalization,
  weightedScoreFusion,
} from './fusion/fusion.js';
export { collectGenerateStream } from './generator/collect-generate-stream.js';
export { validateGenerateRequest } from './generator/validate-generate-request.js';
export { type AnswerLimits, type LimitedText, limitText } from './pipeline/answer-limits.js';
export { NO_PASSAGES_ANSWER, WEAK_EVIDENCE_ANSWER } from './pipeline/answer-modes.js';
export { createPipeline } from './pipeline/create-pipeline.js';
export {
  type ExtractiveAnswer,
  type ExtractiveAnswerOptions,
  extractiveAnswer,
} from './pipeline/extractive-answer.js';
export type { IngestOptions, IngestProgress, IngestResult } from './pipeline/ingest-documents.js';
export { CHUNK_METADATA_KEYS, type Citation, type RetrievedPassage } from './pipeline/passage.js';
export type {
  AnswerMode,
  AskOptions,
  AskOutcome,
  AskResult,
  AskStreamPart,
  DeclineReason,
  Pipeline,
  PipelineOptions,
  RetrieveOptions,
  RetrieveResult,
} from './pipeline/pipeline-types.js';
export type { RetrieverBinding } from './pipeline/retrieval-stages.js';
export { asksAboutCode, type SentenceKind, sentenceKind } from './pipeline/sentence-kind.js';
export { ragloomPlugin } from './plugin/core-plugin.js';
export { createOptionsSchema, type OptionField } from './plugin/options-schema.js';
export { requireDenseManifest, withApiKeyFromEnv } from './plugin/plugin-helpers.js';
export { parseCitations, stripCitations } from './prompt/citations.js';
export {
  buildRagPrompt,
  DEFAULT_RAG_SYSTEM_PROMPT,
  formatPassages,
  type PromptPassage,
  type RagPromptOptions,
} from './prompt/rag-prompt.js';
export { createHashingEncoder, type HashingEncoderOptions } from './reference/hashing-encoder.js';
export { createMemoryKeywordRetriever } from './reference/memory-keyword-retriever.js';
export {
  createMemoryVectorRetriever,
  type MemoryVectorRetrieverOptions,
} from './reference/memory-vector-retriever.js';
export { createOverlapReranker } from './reference/overlap-reranker.js';
export {
  createTemplateGenerator,
  type TemplateGeneratorOptions,
  templateTokens,
} from './reference/template-generator.js';
export { type CopyRecordsOptions, copyRecords } from './retriever/copy-records.js';
export {
  assertManifestMatches,
  assertPositiveInteger,
  compareHits,
  manifestsMatch,
  validateRecords,
  validateSearchRequest,
} from './retriever/retriever-validation.js';
export type { ChunkerV1, SyncChunkerV1 } from './spec/chunker-v1.js';
export type { EmbedRequest, EmbedResult, EncoderInputType, EncoderV1 } from './spec/encoder-v1.js';
export type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateResult,
  GenerateStreamPart,
  GeneratorV1,
  TokenUsage,
} from './spec/generator-v1.js';
export type {
  ComponentByKind,
  ComponentFactoryV1,
  ComponentKind,
  PluginContextV1,
  PluginProgressEvent,
  RagloomPluginV1,
  StandardSchemaIssue,
  StandardSchemaResult,
  StandardSchemaV1,
} from './spec/plugin-v1.js';
export type { RerankerV1, RerankRequest, RerankResult } from './spec/reranker-v1.js';
export type {
  DeleteSelector,
  DenseIndexManifest,
  IndexManifest,
  RetrieverCapabilities,
  RetrieverRecord,
  RetrieverV1,
  SearchHit,
  SearchRequest,
  SparseIndexManifest,
} from './spec/retriever-v1.js';
export type {
  Chunk,
  Document,
  Metadata,
  MetadataScalar,
  MetadataValue,
  Metric,
  ProgressEvent,
  SpecificationVersion,
  VectorLike,
} from './spec/shared-types.js';
export { isCjkChar, simpleTokenize } from './text/simple-tokenize.js';
export { abortError, isAbortError, throwIfAborted } from './util/abort.js';
export { crc32, crc32Portable } from './util/crc32.js';
export { mapWithConcurrency } from './util/map-with-concurrency.js';
export {
  abortableSleep,
  backoffDelay,
  parseRetryAfter,
  type RetryEvent,
  type RetryPolicy,
  withRetries,
} from './util/retry.js';
export { seededRandom, seededRandomStep } from './util/seeded-random.js';
export { createStopSequenceMatcher, type StopSequenceMatcher } from './util/stop-sequences.js';
export {
  cosineSimilarity,
  dot,
  norm,
  normalize,
  similarity,
  squaredL2,
  toValidVector,
} from './vector/vector-math.js';
