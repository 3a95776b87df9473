import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  type EmbedRequest,
  type EmbedResult,
  type EncoderV1,
  RagloomError,
  throwIfAborted,
  validateEmbedRequest,
} from '@ragloom/core';
import { parseOptions } from '@ragloom/core/adapter';
import {
  type BatchBuffers,
  createBatchBuffers,
  createBatchFeeds,
  type InferenceSession,
  type JsonObject,
  loadOnnxModel,
  type OnnxModel,
  positiveIntField,
  readJsonFile,
  runForwardPass,
  runInBatches,
  type TokenizedText,
} from '@ragloom/onnx-model';
import {
  ENCODER_PROMPT_PRESETS,
  type EncoderPrompts,
  presetForModel,
  promptsFromSentenceTransformersConfig,
} from './encoder-prompts.js';
import {
  type OnnxEncoderOptions,
  onnxEncoderOptions,
  type ParsedOnnxEncoderOptions,
} from './onnx-encoder-options.js';
import {
  normalizeInPlace,
  POOLING_STRATEGIES,
  type PoolingStrategy,
  poolHiddenStates,
  poolingFromConfig,
} from './pooling.js';
import { createEncoderWorkerPool } from './worker-pool.js';

/** An EncoderV1 on onnxruntime-node, plus what it resolved from the model. */
export interface OnnxEncoder extends EncoderV1 {
  readonly provider: 'onnx';
  readonly pooling: PoolingStrategy;
  readonly prompts: EncoderPrompts;
  /** Longest input in tokens; longer texts are truncated. */
  readonly maxLength: number;
  /** Token count of each text after prompts and truncation (special tokens included). */
  countTokens(texts: readonly string[], inputType?: EmbedRequest['inputType']): number[];
  close(): Promise<void>;
}

const COMPONENT = 'createOnnxEncoder';

const SENTENCE_TRANSFORMERS_FILES = [
  'modules.json',
  'sentence_bert_config.json',
  'config_sentence_transformers.json',
] as const;

interface ModulesInfo {
  readonly poolingPath: string | undefined;
  readonly normalize: boolean;
  readonly dense: boolean;
}

function readModules(modules: unknown, file: string): ModulesInfo {
  if (!Array.isArray(modules)) {
    throw new RagloomError('MODEL_INVALID', `${file} must hold an array of modules`, { details: { file } });
  }
  const typed = modules as Array<{ type?: unknown; path?: unknown }>;
  const ofType = (suffix: string) => typed.find((m) => typeof m.type === 'string' && m.type.endsWith(suffix));
  const pooling = ofType('.Pooling');
  return {
    poolingPath: typeof pooling?.path === 'string' ? pooling.path : undefined,
    normalize: ofType('.Normalize') !== undefined,
    dense: ofType('.Dense') !== undefined,
  };
}

async function resolvePooling(
  model: OnnxModel,
  requested: PoolingStrategy | undefined,
): Promise<PoolingStrategy> {
  if (requested !== undefined) {
    if (!POOLING_STRATEGIES.includes(requested)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `pooling must be one of ${POOLING_STRATEGIES.join(', ')}, got "${String(requested)}"`,
        { details: { pooling: requested } },
      );
    }
    return requested;
  }
  const modulesPath = model.files['modules.json'];
  if (modulesPath === undefined) return 'mean';
  // modules.json is a JSON array, which readJsonFile (objects only) rejects.
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(modulesPath, 'utf8'));
  } catch (error) {
    throw new RagloomError('MODEL_INVALID', `${modulesPath} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      details: { file: modulesPath },
    });
  }
  const modules = readModules(parsed, modulesPath);
  if (modules.dense) {
    throw new RagloomError(
      'UNSUPPORTED',
      `${modulesPath} has a Dense module after pooling, which ONNX exports of the transformer do not contain; ` +
        'use an export that includes it, or pass `pooling` to accept the un-projected vectors',
      { details: { file: modulesPath } },
    );
  }
  if (modules.poolingPath === undefined) return 'mean';
  const poolingConfigPath = await model.source.optionalFile(`${modules.poolingPath}/config.json`);
  if (poolingConfigPath === undefined) return 'mean';
  return poolingFromConfig(await readJsonFile(poolingConfigPath), poolingConfigPath);
}

function resolvePrompts(
  options: ParsedOnnxEncoderOptions,
  modelId: string,
  stConfig: JsonObject | undefined,
): EncoderPrompts {
  const requested = options.prompts;
  if (typeof requested === 'object')
    return { query: requested.query ?? '', document: requested.document ?? '' };
  if (requested === 'auto') {
    const fromConfig = promptsFromSentenceTransformersConfig(stConfig);
    const preset = ENCODER_PROMPT_PRESETS[presetForModel(modelId)];
    return { query: fromConfig.query ?? preset.query, document: fromConfig.document ?? preset.document };
  }
  const preset = (ENCODER_PROMPT_PRESETS as Record<string, EncoderPrompts>)[requested];
  if (!preset) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `prompts must be 'auto', one of ${Object.keys(ENCODER_PROMPT_PRESETS).join(', ')}, or { query, document }; got "${requested}"`,
      { details: { prompts: requested } },
    );
  }
  return preset;
}

/** Runs the forward passes of one embed call in this thread. Exposed for the worker pool. */
export interface EncoderRuntime {
  readonly dimension: number;
  embedTokenized(encodings: readonly TokenizedText[], signal?: AbortSignal): Promise<Float32Array[]>;
  tokenize(texts: readonly string[], inputType: EmbedRequest['inputType']): TokenizedText[];
  readonly info: Omit<OnnxEncoder, 'embed' | 'close' | 'countTokens' | 'maxBatchSize'> & {
    maxBatchSize: number;
  };
  close(): Promise<void>;
}

/** Loads the model and prepares the in-thread runtime (tokenizer, session, reusable input buffers). */
export async function createEncoderRuntime(input: OnnxEncoderOptions): Promise<EncoderRuntime> {
  const options = parseOptions(onnxEncoderOptions, input, { component: COMPONENT });
  const { maxBatchSize, maxBatchTokens } = options;
  const model = await loadOnnxModel(options.model, {
    ...options,
    optionalFiles: SENTENCE_TRANSFORMERS_FILES,
    expectGraph: {
      requiredInputs: ['input_ids', 'attention_mask'],
      optionalInputs: ['token_type_ids'],
      requiredOutputs: [['last_hidden_state', 'token_embeddings', 'sentence_embedding']],
      types: { input_ids: 'int64', attention_mask: 'int64' },
    },
  });
  try {
    const session: InferenceSession = model.session;
    const outputs = model.graph.outputs;
    const pooledOutput = outputs.find((o) => o.name === 'sentence_embedding');
    const tokenOutput = outputs.find((o) => o.name === 'last_hidden_state' || o.name === 'token_embeddings');
    const output =
      options.pooling !== undefined || !pooledOutput ? (tokenOutput ?? pooledOutput)! : pooledOutput;
    const wantsTokenTypes = model.graph.inputs.some((i) => i.name === 'token_type_ids');
    const pooling = await resolvePooling(model, options.pooling);
    const stBert = model.files['sentence_bert_config.json']
      ? await readJsonFile(model.files['sentence_bert_config.json'])
      : undefined;
    const stConfig = model.files['config_sentence_transformers.json']
      ? await readJsonFile(model.files['config_sentence_transformers.json'])
      : undefined;
    const modelLimit =
      positiveIntField(stBert, 'max_seq_length') !== undefined
        ? Math.min(positiveIntField(stBert, 'max_seq_length')!, model.maxLength ?? Number.MAX_SAFE_INTEGER)
        : (model.maxLength ?? 512);
    const maxLength = Math.min(options.maxLength ?? modelLimit, modelLimit);
    if (maxLength < model.tokenizer.specialTokensSingle + 1) {
      throw new RagloomError('INVALID_ARGUMENT', `maxLength ${maxLength} leaves no room for text`, {
        details: { maxLength },
      });
    }
    const modelId =
      options.modelId ??
      model.source.repoId ??
      (typeof model.config._name_or_path === 'string' && model.config._name_or_path.length > 0
        ? model.config._name_or_path
        : basename(model.source.dir ?? options.model));
    const prompts = resolvePrompts(options, options.model, stConfig);
    const lastDim = output.shape.at(-1);
    const dimension =
      typeof lastDim === 'number' ? lastDim : (positiveIntField(model.config, 'hidden_size') ?? 0);
    const { normalize } = options;

    // Input arrays reused across batches (allocated for the largest batch, viewed per batch). The
    // tensors are views that onnxruntime reads while `run` is pending, so each forward pass in flight
    // holds a set of its own: concurrent embed calls never write into inputs another pass is reading.
    // Freed sets are kept for the next passes (one, for sequential use), up to a few: more passes
    // than that do not run at once on onnxruntime's threads anyway, and a burst's extra sets are freed.
    const bufferCapacity = Math.max(maxBatchTokens, maxLength);
    const freeBuffers: BatchBuffers[] = [];
    const keptBuffers = 4;

    const runBatch = async (batch: readonly TokenizedText[]): Promise<Float32Array[]> => {
      const buffers = freeBuffers.pop() ?? createBatchBuffers(bufferCapacity);
      try {
        const { width, ...feeds } = createBatchFeeds(batch, {
          padTokenId: model.tokenizer.padTokenId,
          tokenTypeIds: wantsTokenTypes,
          buffers,
        });
        const mask = feeds.attention_mask.data as BigInt64Array;
        const { data, dims } = await runForwardPass(session, feeds, output.name, {
          modelPath: model.modelPath,
          size: batch.length,
          width,
        });
        let vectors: Float32Array[];
        if (dims.length === 2) {
          vectors = batch.map((_, row) => data.slice(row * dimension, (row + 1) * dimension));
        } else {
          // `mask` is still this pass's own buffer: it goes back to the free list only below.
          vectors = poolHiddenStates(data, mask, batch.length, width, dims[2]!, pooling);
        }
        if (normalize) for (const v of vectors) normalizeInPlace(v);
        return vectors;
      } finally {
        if (freeBuffers.length < keptBuffers) freeBuffers.push(buffers);
      }
    };

    const tokenize = (texts: readonly string[], inputType: EmbedRequest['inputType']): TokenizedText[] => {
      const prefix = inputType === 'query' ? prompts.query : prompts.document;
      return texts.map((text) => model.tokenizer.encode(prefix + text, { maxLength }));
    };

    return {
      dimension,
      tokenize,
      embedTokenized: (encodings, signal) =>
        runInBatches(encodings, { maxBatchSize, maxBatchTokens }, runBatch, { signal, stage: 'embedding' }),
      info: {
        specificationVersion: 'v1',
        provider: 'onnx',
        modelId,
        dimension,
        normalized: normalize,
        maxBatchSize,
        pooling,
        prompts,
        maxLength,
      },
      close: () => model.close(),
    };
  } catch (error) {
    await model.close();
    throw error;
  }
}

/**
 * A local sentence encoder: any BERT-family ONNX export (all-MiniLM, bge, e5, gte, multilingual-e5, ...) from a
 * folder or the Hugging Face hub. Texts are batched by a token budget, sorted by length to cut padding, and come
 * back in input order; over-long texts are truncated to the model's limit.
 *
 * @example
 * const encoder = await createOnnxEncoder({ model: 'Xenova/bge-small-en-v1.5', dtype: 'q8' });
 * const { embeddings } = await encoder.embed({ texts: ['what is RAG?'], inputType: 'query' });
 */
export async function createOnnxEncoder(input: OnnxEncoderOptions): Promise<OnnxEncoder> {
  const options = parseOptions(onnxEncoderOptions, input, { component: COMPONENT });
  const runtime = await createEncoderRuntime(options);
  const { workers } = options;
  const pool =
    workers > 0
      ? await createEncoderWorkerPool(options, workers).catch(async (error: unknown) => {
          await runtime.close();
          throw error;
        })
      : undefined;
  let closed = false;
  return {
    ...runtime.info,
    provider: 'onnx',
    countTokens(texts, inputType = 'document') {
      return runtime.tokenize(validateEmbedRequest({ texts, inputType }), inputType).map((e) => e.ids.length);
    },
    async embed(request: EmbedRequest): Promise<EmbedResult> {
      throwIfAborted(request?.signal, 'embedding');
      const texts = validateEmbedRequest(request);
      if (closed) throw new RagloomError('INVALID_ARGUMENT', 'this encoder was closed');
      if (texts.length === 0) return { embeddings: [], usage: { tokens: 0 } };
      if (pool) return pool.embed(texts, request.inputType, request.signal);
      const encodings = runtime.tokenize(texts, request.inputType);
      const embeddings = await runtime.embedTokenized(encodings, request.signal);
      return { embeddings, usage: { tokens: encodings.reduce((n, e) => n + e.ids.length, 0) } };
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool?.close();
      await runtime.close();
    },
  };
}
