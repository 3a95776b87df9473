export { type ErrorContext, toRagloomError } from './openai-error.js';
export { createOpenAIGenerator } from './openai-generator.js';
export type { ChatCompletionsClient, OpenAIGeneratorOptions } from './openai-generator-options.js';
export { parseRetryAfter, type RetryEvent } from './retry-policy.js';
