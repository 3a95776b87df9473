import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { openAICompatibleOptions } from '@ragloom/openai-compatible';

/** The parts of an `openai` client the encoder uses; pass an `OpenAI` or `AzureOpenAI` instance as `client`. */
export interface EmbeddingsClient {
  readonly baseURL: string;
  readonly embeddings: {
    create(
      body: {
        model: string;
        input: string[];
        dimensions?: number;
        encoding_format: 'float' | 'base64';
        user?: string;
      },
      options?: { signal?: AbortSignal; timeout?: number; maxRetries?: number },
    ): PromiseLike<{
      data: Array<{ index: number; embedding: number[] | string }>;
      usage?: { prompt_tokens?: number; total_tokens?: number };
    }>;
  };
}

const isEmbeddingsClient = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { embeddings?: { create?: unknown } }).embeddings?.create === 'function';

/**
 * The encoder's options, declared once: the shared OpenAI-compatible ones (`model`, `baseURL`, `apiKey`,
 * `headers`, `timeoutMs`, `maxRetries`, ... from `@ragloom/openai-compatible`) and the embedding ones. The
 * plugin exposes the same declaration without what only code can pass.
 */
export const openAIEncoderOptions = openAICompatibleOptions
  .extend({
    client: option
      .custom<EmbeddingsClient>('an openai client (OpenAI, AzureOpenAI)', isEmbeddingsClient)
      .optional()
      .describe(
        'A ready client (e.g. `AzureOpenAI`); then baseURL/apiKey/organization/headers are not used.',
      ),
    dimensions: option
      .integer({ min: 1 })
      .optional()
      .describe(
        'Ask the endpoint for shorter vectors (text-embedding-3 models); sent as `dimensions`. Servers whose ' +
          'models cannot reduce answer with INVALID_ARGUMENT.',
      ),
    dimension: option
      .integer({ min: 1 })
      .optional()
      .describe(
        "The model's vector length when `dimensions` is not sent and the model is not a known OpenAI model " +
          '(vLLM, Ollama, TEI...). Not sent; responses of another length are DIMENSION_MISMATCH.',
      ),
    modelId: option
      .string()
      .optional()
      .describe(
        'The id written into index manifests. Default `openai:<model>` (`openai:<model>@<dimensions>` when reduced).',
      ),
    maxBatchSize: option
      .integer({ min: 1 })
      .default(2048)
      .describe('Most inputs per request (OpenAI: 2048; TEI: 32). Default 2048.'),
    concurrency: option
      .integer({ min: 1 })
      .default(1)
      .describe('Requests in flight at once when a call needs several batches. Default 1.'),
    maxInputChars: option
      .integer({ min: 1 })
      .default(32_768)
      .describe('Texts longer than this many characters are cut before sending. Default 32768.'),
    prompts: option
      .object({
        query: option.string({ minLength: 0 }).optional(),
        document: option.string({ minLength: 0 }).optional(),
      })
      .optional()
      .describe('Text put before queries / documents (`search_query: ` for nomic-embed-text on Ollama).'),
    normalize: option
      .boolean()
      .default(true)
      .describe("L2-normalise vectors on the client (OpenAI's already are). Default true."),
    encodingFormat: option
      .enum(['base64', 'float'])
      .default('base64')
      .describe(
        'Wire format asked for: `base64` (compact, as the SDK does) or `float` for servers without base64.',
      ),
    user: option.string().optional().describe('Sent as `user` (OpenAI abuse monitoring).'),
  })
  .refine((o) =>
    o.dimensions !== undefined && o.dimension !== undefined && o.dimensions !== o.dimension
      ? `dimensions (${o.dimensions}) and dimension (${o.dimension}) disagree: give one`
      : undefined,
  );

/** What `createOpenAIEncoder` takes (defaults optional). */
export type OpenAIEncoderOptions = InferOptionsInput<typeof openAIEncoderOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedOpenAIEncoderOptions = InferOptions<typeof openAIEncoderOptions>;
