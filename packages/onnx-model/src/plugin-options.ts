import type { PluginContextV1 } from '@ragloom/core';
import { z } from 'zod';
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

/** Option fields every ONNX adapter's plugin accepts (zod 4, a Standard Schema). */
export const onnxModelOptionFields = {
  /** A Hugging Face id or a folder; looked up in the user's model path first. */
  model: z.string().min(1),
  /** The id stored in index manifests (default: `model` as written, so a local copy and the hub id agree). */
  modelId: z.string().min(1).optional(),
  /** `q8` → `onnx/model_quantized.onnx`, `q4f16` → `onnx/model_q4f16.onnx`, ... (transformers.js' names). */
  dtype: z.enum(MODEL_DTYPES as [ModelDtype, ...ModelDtype[]]).optional(),
  /** The ONNX file's base name, dtype suffix added (`decoder_model_merged`), as transformers.js' `model_file_name`. */
  modelFileName: z.string().min(1).optional(),
  /** The folder holding the ONNX files (default `onnx`; `''` for exports with `model.onnx` at the top). */
  subfolder: z.string().optional(),
  /** An explicit file inside the model (`onnx/decoder_model_merged_quantized.onnx`). */
  modelFile: z.string().min(1).optional(),
  revision: z.string().min(1).optional(),
  intraOpNumThreads: z.number().int().positive().optional(),
};

/** Resolves `model` through the user's model path and defaults `modelId` to the reference as written. */
export function modelFromContext(options: { model: string; modelId?: string }, context: PluginContextV1) {
  return { model: context.resolveModel(options.model), modelId: options.modelId ?? options.model };
}
