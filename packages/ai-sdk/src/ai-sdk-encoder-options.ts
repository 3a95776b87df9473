import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { isModel, sharedModelOptions } from './ai-sdk-generator-options.js';
import type { AiSdkEmbeddingModel } from './ai-sdk-model-types.js';

export const aiSdkEncoderOptions = option.object({
  model: option.custom<AiSdkEmbeddingModel>(
    'an AI SDK embedding model (EmbeddingModelV3 from AI SDK 6 or EmbeddingModelV4 from AI SDK 7)',
    isModel('doEmbed'),
  ),
  dimension: option
    .integer({ min: 1, max: 65_536 })
    .describe("The model's vector length; vectors of another length are a DIMENSION_MISMATCH error."),
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
  maxInputChars: option
    .integer({ min: 1 })
    .default(32_768)
    .describe(
      'Texts longer than this are cut before sending, so an over-long text is truncated, not an error.',
    ),
  prompts: option
    .object({
      query: option.string({ minLength: 0 }).optional(),
      document: option.string({ minLength: 0 }).optional(),
    })
    .optional()
    .describe('Text put before queries / documents (e5: `query: ` / `passage: `; nomic: `search_query: `).'),
  normalize: option
    .boolean()
    .default(false)
    .describe('L2-normalise vectors on the client (then `normalized` is true).'),
  ...sharedModelOptions,
});

/** What `createAiSdkEncoder` takes. */
export type AiSdkEncoderOptions = InferOptionsInput<typeof aiSdkEncoderOptions>;
export type ParsedAiSdkEncoderOptions = InferOptions<typeof aiSdkEncoderOptions>;
