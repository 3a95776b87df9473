import { type RagloomPluginV1, withApiKeyFromEnv } from '@ragloom/core';
import { z } from 'zod';
import { createOpenAIGenerator } from './openai-generator.js';
import type { OpenAIGeneratorOptions } from './openai-generator-options.js';

const positiveInt = z.number().int().positive();

export const openAIGeneratorOptionsSchema = z
  .object({
    model: z.string().min(1),
    baseURL: z.string().url().optional(),
    /** The environment variable holding the key (default OPENAI_API_KEY); keys never go in config files. */
    apiKeyEnv: z.string().min(1).optional(),
    provider: z.string().min(1).optional(),
    timeout: positiveInt.optional(),
    maxRetries: z.number().int().nonnegative().optional(),
    maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    sendTopK: z.boolean().optional(),
    streamUsage: z.boolean().optional(),
    extraBody: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

/** `"generator": { "use": "@ragloom/generator-openai", "options": { "model": "gpt-4o-mini" } }` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/generator-openai',
  generator: {
    optionsSchema: openAIGeneratorOptionsSchema,
    create: (options, context) =>
      createOpenAIGenerator({
        ...(withApiKeyFromEnv(options, context, 'OPENAI_API_KEY') as unknown as OpenAIGeneratorOptions),
        onWarning: (message: string) => context.log('warn', message),
      }),
  },
};
