export type { RetryEvent } from '@ragloom/core';
export { type ErrorContext, toRagloomError } from './openai-error.js';
export { createOpenAIGenerator } from './openai-generator.js';
export type { ChatCompletionsClient, OpenAIGeneratorOptions } from './openai-generator-options.js';
export { ragloomPlugin } from './ragloom-plugin.js';
