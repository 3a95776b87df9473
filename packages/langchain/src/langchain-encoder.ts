import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  mapWithConcurrency,
  RagloomError,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { checkEmbeddings, parseOptions, raceAbort, truncateText, vendorFailure } from '@ragloom/core/adapter';
import { type LangChainEncoderOptions, langChainEncoderOptions } from './langchain-encoder-options.js';
import { type LangChainCallContext, toRagloomError } from './langchain-error.js';

/** The model name LangChain embeddings classes expose (`model` on OpenAIEmbeddings, `modelName` on older ones). */
function modelNameOf(embeddings: object): string | undefined {
  const { model, modelName } = embeddings as { model?: unknown; modelName?: unknown };
  if (typeof model === 'string' && model !== '') return model;
  return typeof modelName === 'string' && modelName !== '' ? modelName : undefined;
}

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

  const checked = (vectors: readonly (readonly number[])[], count: number) =>
    checkEmbeddings(vectors, {
      count,
      dimension: options.dimension,
      normalize: options.normalize,
      source: context.component,
    });

  async function call<T>(work: () => Promise<T>, signal: AbortSignal | undefined): Promise<T> {
    throwIfAborted(signal, 'embedding');
    try {
      return await raceAbort(work(), signal, 'embedding');
    } catch (error) {
      throw vendorFailure(error, signal, 'embedding', (e) => toRagloomError(e, context));
    }
  }

  async function embed(request: EmbedRequest): Promise<EmbedResult> {
    const texts = validateEmbedRequest(request).map((t) => truncateText(t, options.maxInputChars));
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
