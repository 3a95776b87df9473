import { option } from './option.js';

/**
 * The options an encoder that wraps another library's embeddings (AI SDK models, LangChain embeddings) declares
 * alike: the vectors' length, how long a text may be, and client-side normalisation. Spread into its
 * `option.object({...})`; `checkEmbeddings` and `truncateText` apply them.
 */
export const wrappedEmbeddingOptions = {
  dimension: option
    .integer({ min: 1, max: 65_536 })
    .describe("The model's vector length; vectors of another length are a DIMENSION_MISMATCH error."),
  maxInputChars: option
    .integer({ min: 1 })
    .default(32_768)
    .describe(
      'Texts longer than this are cut before embedding, so an over-long text is truncated, not an error.',
    ),
  normalize: option
    .boolean()
    .default(false)
    .describe('L2-normalise vectors on the client (then `normalized` is true).'),
};
