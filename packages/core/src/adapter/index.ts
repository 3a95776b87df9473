// @ragloom/core/adapter: what every adapter needs besides the contracts. Browser-safe (no node: imports) and
// dependency-free, like the rest of core.
export { requireDenseManifest, withApiKeyFromEnv } from '../plugin/plugin-helpers.js';
export {
  type HeadersInput,
  parseRetryAfter,
  type RetryPolicy,
  readHeader,
  withRetries,
} from '../util/retry.js';
export { seededRandom, seededRandomStep } from '../util/seeded-random.js';
export { acceptGenerateRequest } from './accept-generate-request.js';
export {
  type ConnectedRetriever,
  type ConnectionLifecycle,
  createConnectionLifecycle,
} from './connected-retriever.js';
export {
  type ComponentDefinition,
  type DefinedComponentFactory,
  type DefinedRagloomPlugin,
  defineRagloomPlugin,
  type OptionsObjectSchema,
  type RagloomPluginDefinition,
} from './define-plugin.js';
export { type DeleteTarget, parseDeleteSelector } from './delete-selector.js';
export { formatOptionPath } from './describe-value.js';
export { wrappedEmbeddingOptions } from './embedding-options.js';
export { checkEmbeddings, type EmbeddingCheck, truncateText } from './embedding-output.js';
export {
  classifyHttpStatus,
  errorFromHttpStatus,
  type HttpErrorInput,
  type HttpStatusClassification,
  type HttpStatusOptions,
  isRetryableHttpStatus,
  responseErrorMessage,
} from './http-status.js';
export { option } from './option.js';
export type { ArrayConstraints, ObjectOptionSchema } from './option-composites.js';
export type { NumberConstraints, StringConstraints, UrlConstraints } from './option-leaves.js';
export type {
  AnyOptionSchema,
  InferOptions,
  InferOptionsInput,
  OptionDefinition,
  OptionInternals,
  OptionIssue,
  OptionModifiers,
  OptionSchema,
  OptionShape,
} from './option-schema.js';
export { type JsonSchema, optionsJsonSchema } from './options-json-schema.js';
export { type OptionsErrorDetails, type OptionsIssueDetail, parseOptions } from './parse-options.js';
export {
  assertComponentShape,
  assertRagloomPlugin,
  COMPONENT_KINDS,
  isStandardSchema,
} from './plugin-shape.js';
export { raceAbort } from './race-abort.js';
export { checkSearch, checkUpsert } from './retriever-checks.js';
export { findSocketErrorCode, SOCKET_ERROR_CODES } from './socket-error.js';
export { applyStopSequences, cutAtStopSequence } from './stop-sequences.js';
export { vendorFailure } from './vendor-failure.js';
export {
  createTimeSlicer,
  type TimeSlicer,
  type TimeSlicerOptions,
  yieldToEventLoop,
} from './yield-to-event-loop.js';
