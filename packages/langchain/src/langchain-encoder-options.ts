import type { EmbeddingsInterface } from '@langchain/core/embeddings';
import {
  type InferOptions,
  type InferOptionsInput,
  option,
  wrappedEmbeddingOptions,
} from '@ragloom/core/adapter';

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
  ...wrappedEmbeddingOptions,
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
  provider: option.string().default('langchain'),
});

export type LangChainEncoderOptions = InferOptionsInput<typeof langChainEncoderOptions>;
export type ParsedLangChainEncoderOptions = InferOptions<typeof langChainEncoderOptions>;
