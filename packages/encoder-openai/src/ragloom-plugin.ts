import { defineRagloomPlugin, withApiKeyFromEnv } from '@ragloom/core/adapter';
import { apiKeyEnvOption } from '@ragloom/openai-compatible';
import { createOpenAIEncoder } from './openai-encoder.js';
import { openAIEncoderOptions } from './openai-encoder-options.js';

/** The factory's options without what only code can pass (keys stay out of config files: `apiKeyEnv`). */
export const openAIEncoderPluginOptions = openAIEncoderOptions
  .omit('apiKey', 'client', 'fetch', 'onRetry')
  .extend({ apiKeyEnv: apiKeyEnvOption });

/** `"encoder": { "use": "@ragloom/encoder-openai", "options": { "model": "text-embedding-3-small" } }` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/encoder-openai',
  encoder: {
    options: openAIEncoderPluginOptions,
    create: (options, context) => createOpenAIEncoder(withApiKeyFromEnv(options, context, 'OPENAI_API_KEY')),
  },
});
