import { type RagloomPluginV1, withApiKeyFromEnv } from '@ragloom/core';
import { z } from 'zod';
import { createOpenAIEncoder } from './openai-encoder.js';
import type { OpenAIEncoderOptions } from './openai-encoder-options.js';

const positiveInt = z.number().int().positive();

export const openAIEncoderOptionsSchema = z
  .object({
    model: z.string().min(1),
    baseURL: z.string().url().optional(),
    /** The environment variable holding the key (default OPENAI_API_KEY); keys never go in config files. */
    apiKeyEnv: z.string().min(1).optional(),
    dimensions: positiveInt.optional(),
    dimension: positiveInt.optional(),
    modelId: z.string().min(1).optional(),
    maxBatchSize: positiveInt.optional(),
    concurrency: positiveInt.optional(),
    encodingFormat: z.enum(['base64', 'float']).optional(),
    prompts: z.object({ query: z.string().optional(), document: z.string().optional() }).strict().optional(),
    timeoutMs: positiveInt.optional(),
    maxRetries: z.number().int().nonnegative().optional(),
  })
  .strict();

/** `"encoder": { "use": "@ragloom/encoder-openai", "options": { "model": "text-embedding-3-small" } }` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/encoder-openai',
  encoder: {
    optionsSchema: openAIEncoderOptionsSchema,
    create: (options, context) =>
      createOpenAIEncoder(
        withApiKeyFromEnv(options, context, 'OPENAI_API_KEY') as unknown as OpenAIEncoderOptions,
      ),
  },
};
