import type { PluginContextV1 } from '@ragloom/core';
import { z } from 'zod';

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
  dtype: z.enum(['fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'q4f16', 'bnb4']).optional(),
  modelFile: z.string().min(1).optional(),
  revision: z.string().min(1).optional(),
  intraOpNumThreads: z.number().int().positive().optional(),
};

/** Resolves `model` through the user's model path and defaults `modelId` to the reference as written. */
export function modelFromContext(options: { model: string; modelId?: string }, context: PluginContextV1) {
  return { model: context.resolveModel(options.model), modelId: options.modelId ?? options.model };
}
