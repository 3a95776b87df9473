import {
  assertPositiveInteger,
  RagloomError,
  type RerankerV1,
  type RerankRequest,
  type RerankResult,
  throwIfAborted,
} from '@ragloom/core';
import { parseOptions } from '@ragloom/core/adapter';
import {
  createBatchFeeds,
  defaultModelId,
  loadOnnxModel,
  positiveIntField,
  runForwardPass,
  runInBatches,
  type TokenizedText,
} from '@ragloom/onnx-model';
import { type OnnxRerankerOptions, onnxRerankerOptions } from './onnx-reranker-options.js';
import { encodePair } from './pair-encoding.js';
import { applyActivation, type ResolvedActivation, resolveActivation } from './score-activation.js';

/** A RerankerV1 on onnxruntime-node, plus what it resolved from the model. */
export interface OnnxReranker extends RerankerV1 {
  readonly provider: 'onnx';
  /** 'sigmoid': scores are probabilities in 0..1; 'none': raw logits. */
  readonly activation: ResolvedActivation;
  /** Longest (query, passage) input in tokens; longer pairs are truncated, passage first. */
  readonly maxLength: number;
  /** Scores of each document for the query, in input order (what `rerank` sorts). */
  score(query: string, documents: readonly string[], options?: { signal?: AbortSignal }): Promise<number[]>;
  close(): Promise<void>;
}

function checkInput(query: unknown, documents: unknown): asserts documents is readonly string[] {
  if (typeof query !== 'string') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `query must be a string, got ${query === null ? 'null' : typeof query}`,
    );
  }
  if (!Array.isArray(documents)) {
    throw new RagloomError('INVALID_ARGUMENT', 'documents must be an array of strings');
  }
  documents.forEach((d, i) => {
    if (typeof d !== 'string') {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `documents[${i}] must be a string, got ${d === null ? 'null' : typeof d}`,
        { details: { index: i } },
      );
    }
  });
}

/**
 * A local cross-encoder reranker: any BERT-family sequence-classification ONNX export with one relevance
 * logit (cross-encoder/ms-marco-MiniLM, BAAI/bge-reranker, ...) from a folder or the Hugging Face hub.
 * Each (query, passage) pair is encoded with segment ids and scored; pairs are batched by a token budget,
 * sorted by length so little padding is computed, and a document's score never depends on the others.
 *
 * @example
 * const reranker = await createOnnxReranker({ model: 'Xenova/ms-marco-MiniLM-L-6-v2' });
 * const ranked = await reranker.rerank({ query: 'who wrote Hamlet?', documents: passages, topK: 5 });
 */
export async function createOnnxReranker(input: OnnxRerankerOptions): Promise<OnnxReranker> {
  const options = parseOptions(onnxRerankerOptions, input, { component: 'createOnnxReranker' });
  const { maxBatchSize, maxBatchTokens } = options;
  const model = await loadOnnxModel(options.model, {
    ...options,
    expectGraph: {
      requiredInputs: ['input_ids', 'attention_mask'],
      optionalInputs: ['token_type_ids'],
      requiredOutputs: ['logits'],
      types: { input_ids: 'int64', attention_mask: 'int64' },
    },
  });
  try {
    const configPath = `${model.source.dir ?? options.model}/config.json`;
    const labels = model.config.id2label;
    const labelCount =
      positiveIntField(model.config, 'num_labels') ??
      (typeof labels === 'object' && labels !== null ? Object.keys(labels).length : 1);
    if (labelCount !== 1) {
      throw new RagloomError(
        'UNSUPPORTED',
        `${configPath} describes ${labelCount} labels; a reranker needs a model with one relevance logit (num_labels 1)`,
        { details: { file: configPath, labels: labelCount } },
      );
    }
    const activation = resolveActivation(options.activation, model.config, configPath);
    const modelLimit = model.maxLength ?? 512;
    const maxLength = Math.min(options.maxLength ?? modelLimit, modelLimit);
    if (maxLength < model.tokenizer.specialTokensPair + 2) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `maxLength ${maxLength} leaves no room for a query and a passage`,
        {
          details: { maxLength },
        },
      );
    }
    const modelId = options.modelId ?? defaultModelId(model, options.model);
    const tokenTypeIds = model.graph.inputs.some((input) => input.name === 'token_type_ids');
    let closed = false;

    /** Relevance of each (query, passage) pair of one padded batch, after the activation. */
    const scoreBatch = async (batch: readonly TokenizedText[]): Promise<number[]> => {
      const { width, ...feeds } = createBatchFeeds(batch, {
        padTokenId: model.tokenizer.padTokenId,
        tokenTypeIds,
      });
      const { data, dims } = await runForwardPass(model.session, feeds, 'logits', {
        modelPath: model.modelPath,
        size: batch.length,
        width,
      });
      if (dims.length !== 2 || dims[0] !== batch.length || dims[1] !== 1) {
        throw new RagloomError(
          'MODEL_INVALID',
          `${model.modelPath} returned logits of shape [${dims.join(', ')}]; expected [${batch.length}, 1]`,
          { details: { path: model.modelPath, dims } },
        );
      }
      return batch.map((_, row) => applyActivation(data[row]!, activation));
    };

    const score = async (query: string, documents: readonly string[], signal?: AbortSignal) => {
      throwIfAborted(signal, 'reranking');
      checkInput(query, documents);
      if (closed) throw new RagloomError('INVALID_ARGUMENT', 'this reranker was closed');
      if (documents.length === 0) return [];
      const encodings = documents.map((passage) => encodePair(model.tokenizer, query, passage, maxLength));
      return runInBatches(encodings, { maxBatchSize, maxBatchTokens }, scoreBatch, {
        signal,
        stage: 'reranking',
      });
    };

    return {
      specificationVersion: 'v1',
      provider: 'onnx',
      modelId,
      activation,
      maxLength,
      score: (query, documents, opts) => score(query, documents, opts?.signal),
      async rerank(request: RerankRequest): Promise<RerankResult[]> {
        if (typeof request !== 'object' || request === null) {
          throw new RagloomError('INVALID_ARGUMENT', 'rerank expects { query, documents }');
        }
        const { topK } = request;
        if (topK !== undefined) assertPositiveInteger(topK, 'topK');
        const scores = await score(request.query, request.documents, request.signal);
        const results = scores.map((s, index) => ({ index, score: s }));
        results.sort((a, b) => (a.score !== b.score ? b.score - a.score : a.index - b.index));
        return topK === undefined ? results : results.slice(0, topK);
      },
      async close() {
        if (closed) return;
        closed = true;
        await model.close();
      },
    };
  } catch (error) {
    await model.close();
    throw error;
  }
}
