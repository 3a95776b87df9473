import { defineRagloomPlugin, withApiKeyFromEnv } from '@ragloom/core/adapter';
import { apiKeyEnvOption } from '@ragloom/openai-compatible';
import { createOpenAIGenerator } from './openai-generator.js';
import { openAIGeneratorOptions } from './openai-generator-options.js';

/** The factory's options without what only code can pass (keys stay out of config files: `apiKeyEnv`). */
export const openAIGeneratorPluginOptions = openAIGeneratorOptions
  .omit('apiKey', 'client', 'fetch', 'onRetry', 'onWarning')
  .extend({ apiKeyEnv: apiKeyEnvOption });

/** `"generator": { "use": "@ragloom/generator-openai", "options": { "model": "gpt-4o-mini" } }` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/generator-openai',
  generator: {
    options: openAIGeneratorPluginOptions,
    create: (options, context) =>
      createOpenAIGenerator({
        ...withApiKeyFromEnv(options, context, 'OPENAI_API_KEY'),
        onWarning: (message: string) => context.log('warn', message),
      }),
  },
});
