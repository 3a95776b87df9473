export {
  type BeirDataset,
  type BeirDocument,
  type BeirLoadOptions,
  type BeirQuery,
  loadBeirDataset,
  readBeirQrels,
  streamBeirCorpus,
  streamBeirQueries,
} from './datasets/beir-loader.js';
export { loadNqOpen, type NqOpenOptions, streamNqOpen } from './datasets/nq-open-loader.js';
export {
  loadQaPredictions,
  loadSquadDataset,
  parseSquadDocument,
  readJsonFile,
} from './datasets/squad-loader.js';
export { type NumberedLine, readJsonLines, readLines } from './io/line-reader.js';
export {
  type CmrcEvaluation,
  type CmrcQuestionScore,
  cmrcExactMatch,
  cmrcF1,
  cmrcMixedSegmentation,
  cmrcRemovePunctuation,
  evaluateCmrc2018,
  longestCommonSubstringLength,
} from './qa/cmrc-metrics.js';
export {
  answerInText,
  evaluateNqOpen,
  type NqOpenEvaluation,
  normalizeNqAnswer,
  nqOpenExactMatch,
  nqOpenRegexMatch,
} from './qa/nq-open-metrics.js';
export type { QaExample } from './qa/qa-types.js';
export {
  evaluateSquadV2,
  normalizeSquadAnswer,
  type Predictions,
  type SquadEvaluation,
  type SquadEvaluationOptions,
  type SquadQuestionScore,
  type SquadSubsetScore,
  scoreSquadPrediction,
  squadExactMatch,
  squadF1,
  squadScoringAnswers,
  squadTokens,
  toOfficialSquadOutput,
} from './qa/squad-metrics.js';
export {
  evaluateSquadV1,
  type SquadV1Evaluation,
  type SquadV1QuestionScore,
  scoreSquadV1Prediction,
  squadV1ExactMatch,
  squadV1F1,
} from './qa/squad-v1-metrics.js';
export {
  type ContextMatchOptions,
  type ContextPassage,
  type ContextScores,
  contextScores,
} from './rag/context-metrics.js';
export { parseJudgeJson, readVerdict } from './rag/judge-json.js';
export {
  answerRelevanceMessages,
  faithfulnessMessages,
  JUDGE_PROMPT_VERSION,
} from './rag/judge-prompts.js';
export {
  type AnswerRelevanceResult,
  answerSentences,
  type FaithfulnessResult,
  type JudgeOptions,
  judgeAnswerRelevance,
  judgeFaithfulness,
  type SentenceVerdict,
} from './rag/llm-judge.js';
export {
  contentTokens,
  embeddingAnswerRelevance,
  type OverlapFaithfulnessOptions,
  overlapAnswerRelevance,
  overlapFaithfulness,
} from './rag/overlap-metrics.js';
export {
  type CompareOptions,
  compareRuns,
  type MeasureComparison,
  type PairedComparison,
  pairedRandomizationTest,
  type RunComparison,
} from './report/compare-runs.js';
export {
  createReport,
  type EvalReport,
  parseJsonReport,
  REPORT_FORMAT,
  REPORT_VERSION,
  readJsonReport,
  toJsonReport,
} from './report/eval-report.js';
export { type HtmlReportOptions, loadChartJsSource, toHtmlReport } from './report/html-report.js';
export { type MarkdownReportOptions, toMarkdownReport } from './report/markdown-report.js';
export { type ReportFormat, writeReport } from './report/write-report.js';
export {
  DEFAULT_MEASURES,
  type Measure,
  type MeasureFamily,
  type MeasureInput,
  measureName,
  parseMeasure,
  trecMeasureName,
} from './retrieval/retrieval-measures.js';
export type { Qrels, RankedDocument, Run, RunQuery } from './retrieval/retrieval-types.js';
export {
  evaluateRun,
  type RetrievalEvaluation,
  type RetrievalEvaluationOptions,
  resolveMeasures,
  trecRanking,
} from './retrieval/trec-eval.js';
export {
  formatTrecRun,
  parseTrecQrels,
  parseTrecRun,
  readTrecQrels,
  readTrecRun,
  writeTrecRun,
} from './retrieval/trec-files.js';
export {
  ANSWER_METRIC_NAMES,
  ANSWER_METRICS,
  type AnswerAggregate,
  type AnswerMetric,
  type AnswerMetricDefinition,
  answerLength,
} from './runner/answer-metrics.js';
export {
  type AskFunction,
  type AskOutput,
  type EvaluatePipelineOptions,
  evaluatePipeline,
} from './runner/evaluate-pipeline.js';
export {
  type EvaluateRetrieverOptions,
  evaluateRetriever,
  type SearchFunction,
} from './runner/evaluate-retriever.js';
export {
  type HistogramBin,
  type LatencySummary,
  latencyHistogram,
  percentile,
  summarizeLatency,
} from './runner/latency.js';
export { openResultCache, type ResultCache } from './runner/result-cache.js';
export type {
  EvalRunResult,
  PipelineQuestionRecord,
  PipelineRunResult,
  RetrievalQueryRecord,
  RetrievalRunResult,
} from './runner/run-types.js';
