import {
  type InferOptions,
  type InferOptionsInput,
  option,
  wrappedEmbeddingOptions,
} from '@ragloom/core/adapter';
import { isModel, sharedModelOptions } from './ai-sdk-generator-options.js';
import type { AiSdkEmbeddingModel } from './ai-sdk-model-types.js';

export const aiSdkEncoderOptions = option.object({
  model: option.custom<AiSdkEmbeddingModel>(
    'an AI SDK embedding model (EmbeddingModelV3 from AI SDK 6 or EmbeddingModelV4 from AI SDK 7)',
    isModel('doEmbed'),
  ),
  ...wrappedEmbeddingOptions,
  modelId: option
    .string()
    .optional()
    .describe(
      'The id written into index manifests (default `<provider>:<modelId>`, e.g. `openai.embedding:text-embedding-3-small`).',
    ),
  maxBatchSize: option
    .integer({ min: 1 })
    .optional()
    .describe(
      "Most texts per model call (default: the model's maxEmbeddingsPerCall, else 2048); the model's limit always applies.",
    ),
  concurrency: option
    .integer({ min: 1 })
    .default(1)
    .describe(
      'Calls in flight at once when a request needs several batches (1 when the model does not support parallel calls).',
    ),
  prompts: option
    .object({
      query: option.string({ minLength: 0 }).optional(),
      document: option.string({ minLength: 0 }).optional(),
    })
    .optional()
    .describe('Text put before queries / documents (e5: `query: ` / `passage: `; nomic: `search_query: `).'),
  ...sharedModelOptions,
});

/** What `createAiSdkEncoder` takes. */
export type AiSdkEncoderOptions = InferOptionsInput<typeof aiSdkEncoderOptions>;
export type ParsedAiSdkEncoderOptions = InferOptions<typeof aiSdkEncoderOptions>;
