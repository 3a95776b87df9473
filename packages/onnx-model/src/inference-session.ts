import { open } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import { InferenceSession } from 'onnxruntime-node';
import type { ModelSource } from './model-source.js';

/**
 * Weight variants, named as transformers.js and Optimum export them: `fp32` → `onnx/model.onnx`,
 * `q8` → `onnx/model_quantized.onnx`, others → `onnx/model_<dtype>.onnx`.
 */
export type ModelDtype = 'fp32' | 'fp16' | 'q8' | 'int8' | 'uint8' | 'q4' | 'q4f16' | 'bnb4';

export const MODEL_DTYPES: readonly ModelDtype[] = [
  'fp32',
  'fp16',
  'q8',
  'int8',
  'uint8',
  'q4',
  'q4f16',
  'bnb4',
];

/** The ONNX file for a dtype, relative to the model folder. `baseName` is `model` for encoders. */
export function onnxFileForDtype(dtype: ModelDtype = 'fp32', baseName = 'model'): string {
  if (!MODEL_DTYPES.includes(dtype)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `dtype must be one of ${MODEL_DTYPES.join(', ')}, got "${dtype}"`,
      {
        details: { dtype },
      },
    );
  }
  const suffix = dtype === 'fp32' ? '' : dtype === 'q8' ? '_quantized' : `_${dtype}`;
  return `onnx/${baseName}${suffix}.onnx`;
}

export interface SessionOptions {
  /** Threads inside one operator (onnxruntime's default: all cores). */
  readonly intraOpNumThreads?: number;
  /** Threads across independent operators (only used with `executionMode: 'parallel'`). */
  readonly interOpNumThreads?: number;
  readonly executionMode?: 'sequential' | 'parallel';
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Default `['cpu']`. */
  readonly executionProviders?: InferenceSession.SessionOptions['executionProviders'];
}

const ONNX_PROTOBUF_HINT =
  'not an ONNX model (protobuf parsing failed) — is the file truncated or a Git LFS pointer?';

/**
 * Creates an onnxruntime-node session for a local `.onnx` file. A missing file is `MODEL_NOT_FOUND`; a file
 * onnxruntime cannot load (truncated, an LFS pointer, wrong format) is `MODEL_INVALID` naming the file.
 */
export async function createInferenceSession(
  modelPath: string,
  options: SessionOptions = {},
): Promise<InferenceSession> {
  for (const key of ['intraOpNumThreads', 'interOpNumThreads'] as const) {
    const value = options[key];
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `${key} must be a non-negative integer, got ${String(value)}`,
        {
          details: { [key]: value },
        },
      );
    }
  }
  try {
    const handle = await open(modelPath, 'r');
    await handle.close();
  } catch (error) {
    throw new RagloomError('MODEL_NOT_FOUND', `ONNX model file ${modelPath} cannot be opened`, {
      cause: error,
      details: { path: modelPath },
    });
  }
  try {
    return await InferenceSession.create(modelPath, {
      executionProviders: options.executionProviders ?? ['cpu'],
      graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
      executionMode: options.executionMode ?? 'sequential',
      ...(options.intraOpNumThreads !== undefined ? { intraOpNumThreads: options.intraOpNumThreads } : {}),
      ...(options.interOpNumThreads !== undefined ? { interOpNumThreads: options.interOpNumThreads } : {}),
    });
  } catch (error) {
    const message = (error as Error).message ?? String(error);
    throw new RagloomError(
      'MODEL_INVALID',
      `onnxruntime cannot load ${modelPath}: ${/protobuf/i.test(message) ? ONNX_PROTOBUF_HINT : message}`,
      { cause: error, details: { path: modelPath } },
    );
  }
}

/** Resolves the ONNX file of a model source for a dtype (or an explicit file) and opens a session on it. */
export async function loadInferenceSession(
  source: ModelSource,
  options: SessionOptions & { readonly dtype?: ModelDtype; readonly modelFile?: string } = {},
): Promise<{ session: InferenceSession; modelPath: string }> {
  const file = options.modelFile ?? onnxFileForDtype(options.dtype ?? 'fp32');
  const modelPath = await source.file(file);
  // Large exports keep weights beside the graph; fetch them too so onnxruntime finds them next to it.
  await source.optionalFile(`${file}_data`);
  const session = await createInferenceSession(modelPath, options);
  return { session, modelPath };
}
