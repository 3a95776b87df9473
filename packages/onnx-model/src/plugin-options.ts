import type { PluginContextV1 } from '@ragloom/core';
import { option } from '@ragloom/core/adapter';
import type { DownloadProgressEvent } from './hub-options.js';
import type { SessionOptions } from './inference-session.js';
import { MODEL_DTYPES, type ModelDtype } from './onnx-file.js';

/** The host's hub settings and download progress, in the shape the ONNX adapters' options take. */
export function hubOptionsFromContext(context: PluginContextV1) {
  return {
    offline: context.hub.offline || undefined,
    cacheDir: context.hub.cacheDir,
    onProgress: context.onProgress,
    signal: context.signal,
  };
}

const isAbortSignal = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { aborted?: unknown }).aborted === 'boolean' &&
  typeof (value as { addEventListener?: unknown }).addEventListener === 'function';

/**
 * The options every ONNX adapter takes, declared once with the adapter kit: which model and weights, the
 * session's threads, and where and how files come from the hub (`HubOptions`). An adapter spreads these into its
 * own `option.object({...})`; its plugin omits `ONNX_MODEL_CODE_ONLY_OPTIONS` (the host supplies the cache and
 * offline mode, and keys, callbacks and signals have no place in a config file).
 */
export const onnxModelOptionShape = {
  model: option
    .string()
    .describe('A Hugging Face id (`Xenova/all-MiniLM-L6-v2`) or a local folder in hub layout.'),
  modelId: option
    .string()
    .optional()
    .describe('The id stored in index manifests. Default: the repo id, else the folder name.'),
  dtype: option
    .enum(MODEL_DTYPES as [ModelDtype, ...ModelDtype[]])
    .optional()
    .describe(
      "Weights: `q8` → onnx/model_quantized.onnx, `q4f16` → onnx/model_q4f16.onnx, ... (transformers.js' names). " +
        'Default: config.json `transformers.js_config.dtype`, else `fp32`.',
    ),
  modelFileName: option
    .string()
    .optional()
    .describe(
      "The ONNX file's base name, dtype suffix added (`decoder_model_merged`), as transformers.js' `model_file_name`.",
    ),
  subfolder: option
    .string({ minLength: 0 })
    .optional()
    .describe(
      "The folder holding the ONNX files (default `onnx`; `''` for exports with model.onnx at the top).",
    ),
  modelFile: option
    .string()
    .optional()
    .describe("An explicit ONNX file inside the model folder instead of the dtype's."),
  revision: option.string().optional().describe('A branch, tag or 40-hex commit. Default `main`.'),
  intraOpNumThreads: option
    .integer({ min: 1 })
    .optional()
    .describe("onnxruntime threads inside one operator. Default: onnxruntime's (all cores)."),
  interOpNumThreads: option.integer({ min: 1 }).optional(),
  executionMode: option.enum(['sequential', 'parallel']).optional(),
  graphOptimizationLevel: option.enum(['disabled', 'basic', 'extended', 'all']).optional(),
  executionProviders: option
    .custom<NonNullable<SessionOptions['executionProviders']>>(
      'an array of onnxruntime execution providers',
      Array.isArray,
    )
    .optional(),
  cacheDir: option.string().optional(),
  endpoint: option.url().optional(),
  offline: option.boolean().optional(),
  token: option.string().optional(),
  checksums: option.record(option.string()).optional(),
  symlinks: option.boolean().optional(),
  maxRetries: option.integer({ min: 0 }).optional(),
  onProgress: option.function<(event: DownloadProgressEvent) => void>().optional(),
  signal: option.custom<AbortSignal>('an AbortSignal', isAbortSignal).optional(),
  fetch: option.function<typeof globalThis.fetch>().optional(),
  env: option.record(option.string({ minLength: 0 })).optional(),
} as const;

/** What an ONNX adapter's plugin leaves out of its config options (the host or code passes these). */
export const ONNX_MODEL_CODE_ONLY_OPTIONS = [
  'interOpNumThreads',
  'executionMode',
  'graphOptimizationLevel',
  'executionProviders',
  'cacheDir',
  'endpoint',
  'offline',
  'token',
  'checksums',
  'symlinks',
  'maxRetries',
  'onProgress',
  'signal',
  'fetch',
  'env',
] as const;

/** Resolves `model` through the user's model path and defaults `modelId` to the reference as written. */
export function modelFromContext(
  options: { readonly model: string; readonly modelId?: string | undefined },
  context: PluginContextV1,
) {
  return { model: context.resolveModel(options.model), modelId: options.modelId ?? options.model };
}
