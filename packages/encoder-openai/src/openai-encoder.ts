import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  isRagloomError,
  RagloomError,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { parseOptions } from '@ragloom/core/adapter';
import { createOpenAIClient, createOpenAICompatibleTransport } from '@ragloom/openai-compatible';
import { decodeEmbedding } from './decode-embedding.js';
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

/** Cuts to at most `limit` UTF-16 units without splitting a surrogate pair. */
function cutText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

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
    const data = Array.isArray(response?.data) ? response.data : undefined;
    if (!data || data.length !== texts.length) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${where} returned ${data?.length ?? 'no'} embeddings for ${texts.length} inputs`,
      );
    }
    const vectors: Float32Array[] = new Array(texts.length);
    data.forEach((item, position) => {
      const index = typeof item.index === 'number' ? item.index : position;
      const vector = decodeEmbedding(item.embedding, where);
      if (vector.length !== dimension) {
        throw new RagloomError(
          'DIMENSION_MISMATCH',
          `${where} returned vectors of length ${vector.length}, expected ${dimension}; set \`dimension\` to the model's size`,
          { details: { expected: dimension, actual: vector.length } },
        );
      }
      if (!vector.every(Number.isFinite)) {
        throw new RagloomError('UPSTREAM_ERROR', `${where} returned a vector with NaN or Infinity`);
      }
      if (normalize) {
        let sum = 0;
        for (const x of vector) sum += x * x;
        const n = Math.sqrt(sum);
        if (n > 0) for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / n;
      }
      vectors[index] = vector;
    });
    if (vectors.some((v) => v === undefined)) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${where} returned embeddings with missing or repeated indices`,
      );
    }
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
        batch = batch.map((t) => cutText(t, limit));
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
      const inputs = texts.map((t) => cutText(prefix + t, maxInputChars));
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
