import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  isRagloomError,
  RagloomError,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { checkEmbeddings, parseOptions, truncateText } from '@ragloom/core/adapter';
import { createOpenAIClient, createOpenAICompatibleTransport } from '@ragloom/openai-compatible';
import { embeddingsInIndexOrder } from './decode-embedding.js';
import { OPENAI_EMBEDDING_DIMENSIONS } from './known-models.js';
import {
  type EmbeddingsClient,
  type OpenAIEncoderOptions,
  openAIEncoderOptions,
} from './openai-encoder-options.js';

export interface OpenAIEncoder extends EncoderV1 {
  readonly provider: 'openai';
  /** The endpoint requests go to (for logs and messages). */
  readonly baseURL: string;
}

const COMPONENT = 'createOpenAIEncoder';
const PATH = '/embeddings';

/**
 * An encoder for any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, LM Studio,
 * TEI) through the official `openai` SDK. Large calls are split into requests of `maxBatchSize` inputs. Keys,
 * timeouts, retries and errors follow `@ragloom/openai-compatible`, as in the OpenAI generator.
 *
 * @example
 * const encoder = createOpenAIEncoder({ model: 'text-embedding-3-small', dimensions: 512 });
 * const { embeddings } = await encoder.embed({ texts: ['what is RAG?'], inputType: 'query' });
 */
export function createOpenAIEncoder(input: OpenAIEncoderOptions): OpenAIEncoder {
  const options = parseOptions(openAIEncoderOptions, input, { component: COMPONENT });
  const { model, dimensions, maxBatchSize, concurrency, maxInputChars, normalize } = options;
  const dimension = dimensions ?? options.dimension ?? OPENAI_EMBEDDING_DIMENSIONS[model];
  if (dimension === undefined) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `${COMPONENT}: the vector length of "${model}" is not known: pass \`dimension\` (the model's output size) or \`dimensions\` (to ask for reduced vectors)`,
      {
        details: {
          component: COMPONENT,
          issues: [{ path: 'dimension', message: 'required for this model' }],
        },
      },
    );
  }
  const client: EmbeddingsClient = options.client ?? createOpenAIClient(options, COMPONENT);
  const transport = createOpenAICompatibleTransport(options, { baseURL: client.baseURL, what: 'embedding' });
  const where = transport.describe(PATH);

  const request = async (texts: string[], signal: AbortSignal | undefined) => {
    const response = await transport.call(PATH, signal, (sdk) =>
      client.embeddings.create(
        {
          model,
          input: texts,
          encoding_format: options.encodingFormat,
          ...(dimensions !== undefined ? { dimensions } : {}),
          ...(options.user !== undefined ? { user: options.user } : {}),
        },
        sdk,
      ),
    );
    const data = Array.isArray(response?.data) ? embeddingsInIndexOrder(response.data, where) : undefined;
    const vectors = checkEmbeddings(data, { count: texts.length, dimension, normalize, source: where });
    return { vectors, tokens: response.usage?.prompt_tokens ?? response.usage?.total_tokens };
  };

  /** One batch; when the server says an input is too long, the longest inputs are halved and resent. */
  const embedBatch = async (texts: string[], signal: AbortSignal | undefined) => {
    let batch = texts;
    for (let shrink = 0; ; shrink++) {
      try {
        return await request(batch, signal);
      } catch (error) {
        const longest = batch.reduce((m, t) => Math.max(m, t.length), 0);
        if (!isRagloomError(error, 'CONTEXT_LENGTH_EXCEEDED') || shrink >= 10 || longest < 2) throw error;
        const limit = Math.floor(longest / 2);
        batch = batch.map((t) => truncateText(t, limit));
      }
    }
  };

  return {
    specificationVersion: 'v1',
    provider: 'openai',
    modelId: options.modelId ?? `openai:${model}${dimensions !== undefined ? `@${dimensions}` : ''}`,
    dimension,
    normalized: normalize,
    maxBatchSize,
    baseURL: transport.baseURL,
    async embed(embedRequest: EmbedRequest): Promise<EmbedResult> {
      throwIfAborted(embedRequest?.signal, 'embedding');
      const texts = validateEmbedRequest(embedRequest, { rejectEmpty: true });
      const { signal } = embedRequest;
      const prefix =
        embedRequest.inputType === 'query'
          ? (options.prompts?.query ?? '')
          : (options.prompts?.document ?? '');
      const inputs = texts.map((t) => truncateText(prefix + t, maxInputChars));
      const embeddings: Float32Array[] = new Array(inputs.length);
      let tokens: number | undefined = 0;
      let next = 0;
      const worker = async () => {
        while (next < inputs.length) {
          throwIfAborted(signal, 'embedding');
          const from = next;
          next = Math.min(inputs.length, next + maxBatchSize);
          const result = await embedBatch(inputs.slice(from, next), signal);
          result.vectors.forEach((v, k) => {
            embeddings[from + k] = v;
          });
          tokens = result.tokens === undefined || tokens === undefined ? undefined : tokens + result.tokens;
        }
      };
      const batches = Math.ceil(inputs.length / maxBatchSize);
      await Promise.all(Array.from({ length: Math.min(concurrency, batches) }, worker));
      return tokens === undefined ? { embeddings } : { embeddings, usage: { tokens } };
    },
  };
}
