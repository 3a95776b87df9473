import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';

const isEmbeddings = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { embedDocuments?: unknown }).embedDocuments === 'function' &&
  typeof (value as { embedQuery?: unknown }).embedQuery === 'function';

export const langChainEncoderOptions = option.object({
  embeddings: option.custom<EmbeddingsInterface>(
    'LangChain embeddings (an Embeddings instance, with embedDocuments and embedQuery)',
    isEmbeddings,
  ),
  dimension: option
    .integer({ min: 1, max: 65_536 })
    .describe("The model's vector length; vectors of another length are a DIMENSION_MISMATCH error."),
  modelId: option
    .string()
    .optional()
    .describe(
      "The id written into index manifests (default `langchain:<model>` from the embeddings' `model`).",
    ),
  maxBatchSize: option
    .integer({ min: 1 })
    .default(512)
    .describe(
      'Texts per embedDocuments call (the class may split further); aborts take effect between calls.',
    ),
  queryConcurrency: option
    .integer({ min: 1 })
    .default(4)
    .describe('embedQuery calls in flight for a batch of queries.'),
  maxInputChars: option
    .integer({ min: 1 })
    .default(32_768)
    .describe(
      'Texts longer than this are cut before embedding, so an over-long text is truncated, not an error.',
    ),
  normalize: option.boolean().default(false).describe('L2-normalise vectors (then `normalized` is true).'),
  provider: option.string().default('langchain'),
});

export type LangChainEncoderOptions = InferOptionsInput<typeof langChainEncoderOptions>;
export type ParsedLangChainEncoderOptions = InferOptions<typeof langChainEncoderOptions>;
