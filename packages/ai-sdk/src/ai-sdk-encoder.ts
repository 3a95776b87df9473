import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  mapWithConcurrency,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { checkEmbeddings, parseOptions, truncateText } from '@ragloom/core/adapter';
import { type AiSdkEncoderOptions, aiSdkEncoderOptions } from './ai-sdk-encoder-options.js';
import { modelCalls } from './call-model.js';

const DEFAULT_BATCH = 2048;

/**
 * The AI SDK's (experimental) byte limit per embedding call, a symbol-keyed property some models carry; `embedMany`
 * splits by it too. Read through the same `Symbol.for` key, so it works with either major.
 */
const MAX_INPUT_BYTES_PER_CALL = Symbol.for('vercel.ai.embeddingModel.maxInputBytesPerCall');

const utf8 = new TextEncoder();

/**
 * Splits texts into consecutive batches of at most `maxCount` texts and `maxBytes` UTF-8 bytes (a text larger
 * than `maxBytes` goes alone), as the AI SDK's `embedMany` does.
 */
export function splitBatches(values: readonly string[], maxCount: number, maxBytes: number): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const value of values) {
    const size = utf8.encode(value).length;
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(value);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** A finite, positive integer limit, or undefined for "no limit" (undefined, Infinity, nonsense). */
const limitOf = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : undefined;

/**
 * Any AI SDK embedding model as a ragloom Encoder: `openai.embedding(...)`, `google.textEmbeddingModel(...)`,
 * `@ai-sdk/openai-compatible` embedding models (TEI, vLLM, Ollama), or a model wrapped in middleware. Requests
 * are split into batches no larger than the model's `maxEmbeddingsPerCall` (and `maxBatchSize`), sent in order
 * (or `concurrency` at a time when the model supports parallel calls), and checked: one finite vector of
 * `dimension` numbers per text.
 */
export function createAiSdkEncoder(input: AiSdkEncoderOptions): EncoderV1 {
  const options = parseOptions(aiSdkEncoderOptions, input, { component: 'createAiSdkEncoder' });
  const { model } = options;
  const calls = modelCalls(model, options, 'embedding');
  const { context } = calls;
  const syncLimit =
    typeof model.maxEmbeddingsPerCall === 'number' ? limitOf(model.maxEmbeddingsPerCall) : undefined;
  const maxBatchSize = Math.min(
    options.maxBatchSize ?? syncLimit ?? DEFAULT_BATCH,
    syncLimit ?? Number.POSITIVE_INFINITY,
  );
  const modelId = options.modelId ?? `${model.provider}:${model.modelId}`;

  // The model's limits may be promises (resolved once, on first use).
  let limits: Promise<{ batch: number; bytes: number; concurrency: number }> | undefined;
  const resolveLimits = () => {
    limits ??= (async () => {
      const perCall = limitOf(await model.maxEmbeddingsPerCall);
      const bytes = limitOf(
        await (model as { [MAX_INPUT_BYTES_PER_CALL]?: unknown })[MAX_INPUT_BYTES_PER_CALL],
      );
      const parallel = await model.supportsParallelCalls;
      return {
        batch: Math.min(maxBatchSize, perCall ?? Number.POSITIVE_INFINITY),
        bytes: bytes ?? Number.POSITIVE_INFINITY,
        concurrency: parallel ? options.concurrency : 1,
      };
    })();
    // A rejected limit (a provider's lookup failed) is asked again next time.
    limits.catch(() => {
      limits = undefined;
    });
    return limits;
  };

  async function embedBatch(values: string[], signal: AbortSignal | undefined) {
    const result = await calls.call(signal, () =>
      model.doEmbed({
        values,
        ...(signal ? { abortSignal: signal } : {}),
        ...(options.headers ? { headers: { ...options.headers } } : {}),
      }),
    );
    calls.warn(result.warnings);
    const vectors = checkEmbeddings(result.embeddings, {
      count: values.length,
      dimension: options.dimension,
      normalize: options.normalize,
      source: `${context.provider} (model ${context.modelId})`,
    });
    return { vectors, tokens: result.usage?.tokens };
  }

  async function embed(request: EmbedRequest): Promise<EmbedResult> {
    const texts = validateEmbedRequest(request);
    const { signal } = request;
    throwIfAborted(signal, 'embedding');
    if (texts.length === 0) return { embeddings: [] };
    const prefix = (request.inputType === 'query' ? options.prompts?.query : options.prompts?.document) ?? '';
    const values = texts.map((text) => prefix + truncateText(text, options.maxInputChars));
    const { batch, bytes, concurrency } = await resolveLimits();
    const batches = splitBatches(values, batch, bytes);
    const results = await mapWithConcurrency(batches, concurrency, (b) => embedBatch(b, signal), signal);
    const embeddings = results.flatMap((r) => r.vectors);
    const counted = results.every((r) => typeof r.tokens === 'number');
    return counted
      ? { embeddings, usage: { tokens: results.reduce((n, r) => n + (r.tokens ?? 0), 0) } }
      : { embeddings };
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider ?? model.provider,
    modelId,
    dimension: options.dimension,
    normalized: options.normalize,
    maxBatchSize,
    embed,
  };
}
