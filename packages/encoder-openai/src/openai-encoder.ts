import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  isRagloomError,
  RagloomError,
  type RetryPolicy,
  throwIfAborted,
  validateEmbedRequest,
  withRetries,
} from '@ragloom/core';
import OpenAI from 'openai';
import { decodeEmbedding } from './decode-embedding.js';
import { OPENAI_EMBEDDING_DIMENSIONS } from './known-models.js';
import type { EmbeddingsClient, OpenAIEncoderOptions } from './openai-encoder-options.js';
import { toRagloomError } from './openai-error.js';

export interface OpenAIEncoder extends EncoderV1 {
  readonly provider: 'openai';
  /** The endpoint requests go to (for logs and messages). */
  readonly baseURL: string;
}

function positiveInt(name: string, value: number | undefined, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < min) {
    throw new RagloomError('INVALID_ARGUMENT', `${name} must be an integer >= ${min}, got ${String(value)}`, {
      details: { [name]: value },
    });
  }
  return value;
}

/** Cuts to at most `limit` UTF-16 units without splitting a surrogate pair. */
function cutText(text: string, limit: number): string {
  if (text.length <= limit) return text;
  const code = text.charCodeAt(limit - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? limit - 1 : limit);
}

function createClient(options: OpenAIEncoderOptions): EmbeddingsClient {
  if (options.client) return options.client;
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey) {
    throw new RagloomError(
      'INVALID_CONFIG',
      'no API key: pass `apiKey` or set OPENAI_API_KEY (local servers without auth accept any value)',
    );
  }
  return new OpenAI({
    apiKey,
    ...(options.baseURL !== undefined ? { baseURL: options.baseURL } : {}),
    ...(options.organization !== undefined ? { organization: options.organization } : {}),
    ...(options.headers !== undefined ? { defaultHeaders: options.headers } : {}),
    ...(options.fetch !== undefined ? { fetch: options.fetch } : {}),
    // Retries are ours (Retry-After, jitter, typed errors); the SDK's are turned off.
    maxRetries: 0,
  }) as unknown as EmbeddingsClient;
}

/**
 * An encoder for any OpenAI-compatible `/v1/embeddings` endpoint (OpenAI, Azure OpenAI, vLLM, Ollama, LM Studio,
 * TEI) through the official `openai` SDK. Large calls are split into requests of `maxBatchSize` inputs; 429s, 5xx,
 * timeouts and dropped connections are retried with backoff and jitter, honouring the server's Retry-After.
 *
 * @example
 * const encoder = createOpenAIEncoder({ model: 'text-embedding-3-small', dimensions: 512 });
 * const { embeddings } = await encoder.embed({ texts: ['what is RAG?'], inputType: 'query' });
 */
export function createOpenAIEncoder(options: OpenAIEncoderOptions): OpenAIEncoder {
  if (
    typeof options !== 'object' ||
    options === null ||
    typeof options.model !== 'string' ||
    !options.model
  ) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'createOpenAIEncoder needs `model`, e.g. "text-embedding-3-small"',
    );
  }
  const model = options.model;
  const dimensions =
    options.dimensions === undefined ? undefined : positiveInt('dimensions', options.dimensions, 0);
  const dimension =
    dimensions ?? positiveInt('dimension', options.dimension, OPENAI_EMBEDDING_DIMENSIONS[model] ?? 0);
  if (dimension === 0) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `the vector length of "${model}" is not known: pass \`dimension\` (the model's output size) or \`dimensions\` (to ask for reduced vectors)`,
      { details: { model } },
    );
  }
  const maxBatchSize = positiveInt('maxBatchSize', options.maxBatchSize, 2048);
  const concurrency = positiveInt('concurrency', options.concurrency, 1);
  const maxInputChars = positiveInt('maxInputChars', options.maxInputChars, 32_768);
  const timeoutMs = positiveInt('timeoutMs', options.timeoutMs, 60_000);
  const policy: RetryPolicy = {
    maxRetries: positiveInt('maxRetries', options.maxRetries, 3, 0),
    initialDelayMs: positiveInt('initialRetryDelayMs', options.initialRetryDelayMs, 500, 0),
    maxDelayMs: positiveInt('maxRetryDelayMs', options.maxRetryDelayMs, 8_000, 0),
    maxRetryAfterMs: positiveInt('maxRetryAfterMs', options.maxRetryAfterMs, 60_000, 0),
    onRetry: options.onRetry,
  };
  const encodingFormat = options.encodingFormat ?? 'base64';
  if (encodingFormat !== 'base64' && encodingFormat !== 'float') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `encodingFormat must be 'base64' or 'float', got "${encodingFormat}"`,
    );
  }
  const normalize = options.normalize ?? true;
  const client = createClient(options);
  const baseURL = client.baseURL;
  const where = `${baseURL.replace(/\/+$/, '')}/embeddings (model ${model})`;

  const request = async (input: string[], signal: AbortSignal | undefined) => {
    const response = await client.embeddings.create(
      {
        model,
        input,
        encoding_format: encodingFormat,
        ...(dimensions !== undefined ? { dimensions } : {}),
        ...(options.user !== undefined ? { user: options.user } : {}),
      },
      { ...(signal ? { signal } : {}), timeout: timeoutMs, maxRetries: 0 },
    );
    const data = Array.isArray(response?.data) ? response.data : undefined;
    if (!data || data.length !== input.length) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${where} returned ${data?.length ?? 'no'} embeddings for ${input.length} inputs`,
      );
    }
    const vectors: Float32Array[] = new Array(input.length);
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

  /** One batch, retried; when the server says an input is too long, the longest inputs are halved and resent. */
  const embedBatch = async (texts: string[], signal: AbortSignal | undefined) => {
    let input = texts;
    for (let shrink = 0; ; shrink++) {
      try {
        return await withRetries(
          policy,
          signal,
          () => request(input, signal),
          (e) => toRagloomError(e, where, signal),
          'embedding',
        );
      } catch (error) {
        const longest = input.reduce((m, t) => Math.max(m, t.length), 0);
        if (!isRagloomError(error, 'CONTEXT_LENGTH_EXCEEDED') || shrink >= 10 || longest < 2) throw error;
        const limit = Math.floor(longest / 2);
        input = input.map((t) => cutText(t, limit));
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
    baseURL,
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
