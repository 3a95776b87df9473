export type { RetryEvent } from '@ragloom/core';
export { createOpenAIGenerator } from './openai-generator.js';
export {
  type ChatCompletionsClient,
  type OpenAIGeneratorOptions,
  openAIGeneratorOptions,
  type ParsedOpenAIGeneratorOptions,
} from './openai-generator-options.js';
export { openAIGeneratorPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
