import {
  abortError,
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  isAbortError,
  mapWithConcurrency,
  normalize,
  RagloomError,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { parseOptions, raceAbort } from '@ragloom/core/adapter';
import { type LangChainEncoderOptions, langChainEncoderOptions } from './langchain-encoder-options.js';
import { type LangChainCallContext, toRagloomError } from './langchain-error.js';

/** The model name LangChain embeddings classes expose (`model` on OpenAIEmbeddings, `modelName` on older ones). */
function modelNameOf(embeddings: object): string | undefined {
  const { model, modelName } = embeddings as { model?: unknown; modelName?: unknown };
  if (typeof model === 'string' && model !== '') return model;
  return typeof modelName === 'string' && modelName !== '' ? modelName : undefined;
}

const cut = (text: string, max: number) => {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
};

/**
 * LangChain embeddings as a ragloom Encoder: documents through `embedDocuments` in batches of `maxBatchSize`,
 * queries through `embedQuery` (which is where LangChain classes put query instructions), each vector checked
 * to be `dimension` finite numbers.
 */
export function createLangChainEncoder(input: LangChainEncoderOptions): EncoderV1 {
  const options = parseOptions(langChainEncoderOptions, input, { component: 'createLangChainEncoder' });
  const { embeddings } = options;
  const name = modelNameOf(embeddings);
  const modelId = options.modelId ?? (name ? `langchain:${name}` : undefined);
  if (modelId === undefined) {
    throw new RagloomError(
      'INVALID_CONFIG',
      'invalid options for createLangChainEncoder: modelId: required, because these embeddings do not name their model ' +
        '(it goes into index manifests, so a query with another model is refused)',
      {
        details: { component: 'createLangChainEncoder', issues: [{ path: 'modelId', message: 'required' }] },
      },
    );
  }
  const context: LangChainCallContext = {
    component: `LangChain embeddings ${modelId}`,
    operation: 'embedding',
  };

  function checked(vectors: readonly (readonly number[])[], count: number): Float32Array[] {
    if (!Array.isArray(vectors) || vectors.length !== count) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${context.component} returned ${vectors?.length} vectors for ${count} texts`,
      );
    }
    return vectors.map((vector, i) => {
      if (vector.length !== options.dimension) {
        throw new RagloomError(
          'DIMENSION_MISMATCH',
          `${context.component} returned a vector of ${vector.length} numbers, but the encoder was created with ` +
            `dimension ${options.dimension}`,
          { details: { expected: options.dimension, actual: vector.length, index: i } },
        );
      }
      const out = Float32Array.from(vector);
      if (!out.every(Number.isFinite))
        throw new RagloomError('UPSTREAM_ERROR', `${context.component} returned a non-finite value`);
      return options.normalize ? normalize(out) : out;
    });
  }

  async function call<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    throwIfAborted(signal, 'embedding');
    try {
      return await raceAbort(work(), signal, 'embedding');
    } catch (error) {
      if (signal?.aborted || isAbortError(error)) throw abortError(signal, 'embedding');
      throw toRagloomError(error, context);
    }
  }

  async function embed(request: EmbedRequest): Promise<EmbedResult> {
    const texts = validateEmbedRequest(request).map((t) => cut(t, options.maxInputChars));
    const { signal } = request;
    throwIfAborted(signal, 'embedding');
    if (texts.length === 0) return { embeddings: [] };
    if (request.inputType === 'query') {
      const vectors = await mapWithConcurrency(
        texts,
        options.queryConcurrency,
        (text) => call(() => embeddings.embedQuery(text), signal),
        signal,
      );
      return { embeddings: checked(vectors, texts.length) };
    }
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += options.maxBatchSize) {
      const batch = texts.slice(i, i + options.maxBatchSize);
      out.push(...checked(await call(() => embeddings.embedDocuments(batch), signal), batch.length));
    }
    return { embeddings: out };
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider,
    modelId,
    dimension: options.dimension,
    normalized: options.normalize,
    maxBatchSize: options.maxBatchSize,
    embed,
  };
}
