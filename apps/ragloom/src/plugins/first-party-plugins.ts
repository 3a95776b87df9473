import { join } from 'node:path';
import { type DenseIndexManifest, RagloomError } from '@ragloom/core';
import { z } from 'zod';
import type { RagloomPluginContext, RagloomPluginV1 } from './plugin-spec.js';

/**
 * Plugins for the first-party packages, which export factories (`createBm25Retriever`, ...) but no
 * `ragloomPlugin` object. Each entry receives the package's imported module, so the app resolves and imports
 * the package exactly like a third-party plugin; only the option schema and mapping live here.
 */
/** Calls a factory the package exports, or names the export that is missing. */
function call(module: Record<string, unknown>, pkg: string, name: string, ...args: unknown[]): never {
  const value = module[name];
  if (typeof value !== 'function') {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `${pkg} has no ${name}() export; is it the version this app was built with?`,
    );
  }
  return (value as (...a: unknown[]) => never)(...args);
}

function requireDense(context: RagloomPluginContext, pkg: string): DenseIndexManifest {
  if (!context.denseManifest) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `retriever "${context.name}" (${pkg}) stores vectors, so the config needs an "encoder"`,
    );
  }
  return context.denseManifest;
}

/** Where the hub settings and download progress of the app go in an ONNX adapter's options. */
function hubOptions(context: RagloomPluginContext) {
  return {
    offline: context.hub.offline || undefined,
    cacheDir: context.hub.cacheDir,
    onProgress: context.onProgress,
    signal: context.signal,
  };
}

/**
 * Secrets stay out of config files: options name the environment variable holding the key (`apiKeyEnv`).
 * Returns the other options with `apiKey` read from that variable.
 */
function withApiKey(
  options: Record<string, unknown>,
  context: RagloomPluginContext,
  defaultEnv?: string,
): Record<string, unknown> {
  const { apiKeyEnv, ...rest } = options as { apiKeyEnv?: string } & Record<string, unknown>;
  const env = apiKeyEnv ?? defaultEnv;
  if (env === undefined) return rest;
  const value = process.env[env];
  if (!value) context.log('warn', `${context.name}: the environment variable ${env} (apiKeyEnv) is not set`);
  return { ...rest, apiKey: value || undefined };
}

const dtype = z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']);
const positiveInt = z.number().int().positive();
const analyzerName = z.enum(['english', 'cjk', 'auto', 'standard', 'whitespace']);
const metric = z.enum(['cosine', 'dot', 'l2']);

const onnxModelFields = {
  /** A Hugging Face id or a folder; looked up in the user's model path first. */
  model: z.string().min(1),
  /** The id stored in index manifests (default: `model` as written, so a local copy and the hub id agree). */
  modelId: z.string().min(1).optional(),
  dtype: dtype.optional(),
  modelFile: z.string().min(1).optional(),
  revision: z.string().min(1).optional(),
  intraOpNumThreads: positiveInt.optional(),
};

export const FIRST_PARTY_PLUGINS: Readonly<
  Record<string, (module: Record<string, unknown>) => RagloomPluginV1>
> = {
  '@ragloom/core': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/core (reference components)',
    encoder: {
      // Feature hashing of words: lexical, no model. For tests and model-free setups.
      optionsSchema: z.object({ dimension: z.number().int().min(2).max(65536).optional() }).strict(),
      create: (options) => call(module, '@ragloom/core', 'createHashingEncoder', options),
    },
    reranker: {
      optionsSchema: z.object({}).strict(),
      create: () => call(module, '@ragloom/core', 'createOverlapReranker'),
    },
  }),

  '@ragloom/retriever-bm25': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/retriever-bm25',
    retriever: {
      optionsSchema: z
        .object({
          analyzer: z.union([analyzerName, z.looseObject({ type: analyzerName })]).optional(),
          preset: z.enum(['anserini', 'lucene']).optional(),
          k1: z.number().positive().optional(),
          b: z.number().min(0).max(1).optional(),
        })
        .strict(),
      create: (options, context) =>
        call(module, '@ragloom/retriever-bm25', 'openBm25Retriever', {
          ...options,
          path: join(context.storageDir, 'bm25.index'),
        }),
    },
  }),

  '@ragloom/retriever-hnsw': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/retriever-hnsw',
    retriever: {
      optionsSchema: z
        .object({
          metric: metric.optional(),
          M: z.number().int().min(2).max(256).optional(),
          efConstruction: z.number().int().positive().optional(),
          ef: z.number().int().positive().optional(),
          seed: z.number().int().optional(),
          exactSearchThreshold: z.number().int().nonnegative().optional(),
          compactionThreshold: z.number().gt(0).max(1).optional(),
          kernel: z.enum(['auto', 'wasm', 'js']).optional(),
        })
        .strict(),
      create: (options, context) => {
        const manifest = requireDense(context, '@ragloom/retriever-hnsw');
        return call(module, '@ragloom/retriever-hnsw', 'openHnswRetriever', {
          ...options,
          encoderModelId: manifest.encoderModelId,
          dimension: manifest.dimension,
          metric: (options.metric as string | undefined) ?? manifest.metric,
          path: join(context.storageDir, 'hnsw.index'),
        });
      },
    },
  }),

  '@ragloom/retriever-qdrant': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/retriever-qdrant',
    retriever: {
      optionsSchema: z
        .object({
          url: z.string().url().optional(),
          /** Environment variable holding the Qdrant API key. */
          apiKeyEnv: z.string().min(1).optional(),
          collection: z.string().min(1),
          metric: metric.optional(),
          vectorName: z.string().min(1).optional(),
        })
        .strict(),
      create: async (options, context) => {
        const manifest = requireDense(context, '@ragloom/retriever-qdrant');
        const rest = withApiKey(options, context);
        const retriever = call(module, '@ragloom/retriever-qdrant', 'createQdrantRetriever', {
          ...rest,
          encoderModelId: manifest.encoderModelId,
          dimension: manifest.dimension,
          metric: (rest.metric as string | undefined) ?? manifest.metric,
        }) as { init?: () => Promise<void> };
        // Connect and check the collection's manifest now, so a mismatch or an unreachable server is reported
        // at startup rather than at the first query.
        await retriever.init?.();
        return retriever as never;
      },
    },
  }),

  '@ragloom/encoder-onnx': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/encoder-onnx',
    encoder: {
      optionsSchema: z
        .object({
          ...onnxModelFields,
          pooling: z.string().min(1).optional(),
          normalize: z.boolean().optional(),
          prompts: z
            .union([
              z.string().min(1),
              z.object({ query: z.string().optional(), document: z.string().optional() }).strict(),
            ])
            .optional(),
          maxLength: positiveInt.optional(),
          maxBatchSize: positiveInt.optional(),
          maxBatchTokens: positiveInt.optional(),
          workers: z.number().int().nonnegative().optional(),
        })
        .strict(),
      create: (options, context) =>
        call(module, '@ragloom/encoder-onnx', 'createOnnxEncoder', {
          ...options,
          ...hubOptions(context),
          model: context.resolveModel(options.model as string),
          modelId: (options.modelId as string | undefined) ?? (options.model as string),
        }),
    },
  }),

  '@ragloom/reranker-onnx': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/reranker-onnx',
    reranker: {
      optionsSchema: z
        .object({
          ...onnxModelFields,
          activation: z.enum(['auto', 'sigmoid', 'none']).optional(),
          maxLength: positiveInt.optional(),
          maxBatchSize: positiveInt.optional(),
          maxBatchTokens: positiveInt.optional(),
        })
        .strict(),
      create: (options, context) =>
        call(module, '@ragloom/reranker-onnx', 'createOnnxReranker', {
          ...options,
          ...hubOptions(context),
          model: context.resolveModel(options.model as string),
          modelId: (options.modelId as string | undefined) ?? (options.model as string),
        }),
    },
  }),

  '@ragloom/generator-onnx': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/generator-onnx',
    generator: {
      optionsSchema: z
        .object({
          ...onnxModelFields,
          chatTemplate: z.string().min(1).optional(),
          /**
           * Default here 'truncate-start': a RAG prompt longer than a small model's context loses its oldest
           * tokens (the question comes last and is kept) instead of failing.
           */
          contextOverflow: z.enum(['error', 'truncate-start']).optional(),
          contextLength: positiveInt.optional(),
          maxTokens: positiveInt.optional(),
        })
        .strict(),
      create: (options, context) => {
        const { model, ...rest } = options as { model: string } & Record<string, unknown>;
        return call(module, '@ragloom/generator-onnx', 'createOnnxGenerator', context.resolveModel(model), {
          contextOverflow: 'truncate-start',
          ...rest,
          ...hubOptions(context),
          modelId: (rest.modelId as string | undefined) ?? model,
        });
      },
    },
  }),

  '@ragloom/encoder-openai': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/encoder-openai',
    encoder: {
      optionsSchema: z
        .object({
          model: z.string().min(1),
          baseURL: z.string().url().optional(),
          apiKeyEnv: z.string().min(1).optional(),
          dimensions: positiveInt.optional(),
          dimension: positiveInt.optional(),
          modelId: z.string().min(1).optional(),
          maxBatchSize: positiveInt.optional(),
          concurrency: positiveInt.optional(),
          encodingFormat: z.enum(['base64', 'float']).optional(),
          prompts: z
            .object({ query: z.string().optional(), document: z.string().optional() })
            .strict()
            .optional(),
          timeoutMs: positiveInt.optional(),
          maxRetries: z.number().int().nonnegative().optional(),
        })
        .strict(),
      create: (options, context) => {
        return call(module, '@ragloom/encoder-openai', 'createOpenAIEncoder', {
          ...withApiKey(options, context, 'OPENAI_API_KEY'),
        });
      },
    },
  }),

  '@ragloom/generator-openai': (module) => ({
    specificationVersion: 'v1',
    name: '@ragloom/generator-openai',
    generator: {
      optionsSchema: z
        .object({
          model: z.string().min(1),
          baseURL: z.string().url().optional(),
          apiKeyEnv: z.string().min(1).optional(),
          provider: z.string().min(1).optional(),
          timeout: positiveInt.optional(),
          maxRetries: z.number().int().nonnegative().optional(),
          maxTokensField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
          sendTopK: z.boolean().optional(),
          streamUsage: z.boolean().optional(),
          extraBody: z.record(z.string(), z.unknown()).optional(),
        })
        .strict(),
      create: (options, context) => {
        return call(module, '@ragloom/generator-openai', 'createOpenAIGenerator', {
          ...withApiKey(options, context, 'OPENAI_API_KEY'),
          onWarning: (message: string) => context.log('warn', message),
        });
      },
    },
  }),
};
