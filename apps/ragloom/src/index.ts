export {
  type FindConfigOptions,
  findConfigFile,
  type LoadedConfig,
  loadConfig,
  parseConfig,
  resolveConfigPaths,
} from './config/config-file.js';
export {
  type PluginReference,
  type RagloomConfig,
  type RagloomConfigInput,
  type RetrieverReference,
  ragloomConfigSchema,
} from './config/config-schema.js';
export { type ConfigPreset, configTemplate } from './config/config-template.js';
export {
  parseQuestionRange,
  type QuestionRange,
  type RunEvalOptions,
  type RunEvalResult,
  runEval,
  weakRetrieverWarnings,
} from './eval/run-eval.js';
export type { MemberSpec, SetProblem } from './index-set/committed-set.js';
export type { IndexSetView } from './index-set/index-set-reader.js';
export type { CommitRequest, CommitResult, IndexSetWriter } from './index-set/index-set-writer.js';
export {
  type AcquireWriterLockOptions,
  acquireWriterLock,
  describeHolder,
  type LockHolder,
  type LockStatus,
  readWriterLock,
  type WriterLock,
} from './index-set/writer-lock.js';
export {
  API_ID_PREFIX,
  type DocumentInput,
  type IngestDocumentsOptions,
  type IngestDocumentsResult,
  ingestDocuments,
} from './ingest/ingest-documents.js';
export {
  type IngestFilesOptions,
  type IngestFilesProgress,
  type IngestFilesResult,
  ingestFiles,
} from './ingest/ingest-files.js';
export { type LoadResult, loadDocumentFile } from './loaders/load-document-file.js';
export type { LoadedDocument, SkippedFile, SourceType } from './loaders/loaded-document.js';
export { createComponent, type LoadedPlugin, loadPlugin } from './plugins/load-plugin.js';
export { type AnswerStreamOptions, streamAnswer } from './runtime/answer-stream.js';
export { exportIndex, importIndex } from './runtime/index-dump.js';
export {
  type OpenRuntimeOptions,
  openRuntime,
  type RagloomRuntime,
  type RetrieverEntry,
  type RuntimeIndexSet,
} from './runtime/open-runtime.js';
export { locateCitation, locatePassage, type SourceLocation } from './runtime/source-location.js';
export { createRagloomServer, type RagloomServer } from './server/create-server.js';
export type { RagloomServerOptions } from './server/server-options.js';
