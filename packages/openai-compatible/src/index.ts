export { type AttemptTimeout, createAttemptTimeout } from './attempt-timeout.js';
export { createOpenAIClient } from './create-openai-client.js';
export {
  apiKeyEnvOption,
  OPENAI_BASE_URL,
  type OpenAICompatibleSettings,
  openAICompatibleOptions,
} from './openai-compatible-options.js';
export { type RequestContext, toRagloomError } from './openai-error.js';
export {
  type AttemptRequestOptions,
  createOpenAICompatibleTransport,
  type OpenAICompatibleTransport,
  type OpenedAttempt,
  type TransportContext,
} from './openai-transport.js';
export { type ResolvedEndpoint, resolveEndpoint } from './resolve-endpoint.js';
