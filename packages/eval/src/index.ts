export {
  loadQaPredictions,
  loadSquadDataset,
  parseSquadDocument,
  readJsonFile,
} from './datasets/squad-loader.js';
export { writeFileAtomic } from './io/atomic-write.js';
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
