export type { RetryEvent } from '@ragloom/core';
export { decodeEmbedding } from './decode-embedding.js';
export { OPENAI_EMBEDDING_DIMENSIONS } from './known-models.js';
export { createOpenAIEncoder, type OpenAIEncoder } from './openai-encoder.js';
export {
  type EmbeddingsClient,
  type OpenAIEncoderOptions,
  openAIEncoderOptions,
  type ParsedOpenAIEncoderOptions,
} from './openai-encoder-options.js';
export { openAIEncoderPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
