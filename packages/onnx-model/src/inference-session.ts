import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { InferenceSession } from 'onnxruntime-node';
import type { JsonObject } from './model-config.js';
import { type ModelSource, modelSourceFiles } from './model-source.js';
import { chooseOnnxFile, type OnnxFileChoice, type OnnxFileOptions } from './onnx-file.js';

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
    // The graph keeps its weights in a file that is not there (onnxruntime names it).
    const missingData = /External data path does not exist: "?([^"\n]+)"?/.exec(message);
    if (missingData) {
      throw new RagloomError(
        'MODEL_NOT_FOUND',
        `${modelPath} keeps its weights in ${missingData[1]}, which does not exist: put it beside the .onnx file`,
        { cause: error, details: { path: modelPath, file: missingData[1] } },
      );
    }
    throw new RagloomError(
      'MODEL_INVALID',
      `onnxruntime cannot load ${modelPath}: ${/protobuf/i.test(message) ? ONNX_PROTOBUF_HINT : message}`,
      { cause: error, details: { path: modelPath } },
    );
  }
}

/**
 * Chooses the ONNX file of a model source (dtype, `modelFileName`, merged decoders, an explicit file: see
 * `chooseOnnxFile`), makes sure it and its external data are local (hub files are downloaded), and opens a
 * session on it.
 */
export async function loadInferenceSession(
  source: ModelSource,
  options: SessionOptions &
    OnnxFileOptions & {
      /** `config.json`, for `transformers.js_config` (dtype, external data). */
      readonly config?: JsonObject;
      /** Base names to try in order when `modelFileName` is not given. Default `['model']`. */
      readonly baseNames?: readonly string[];
    } = {},
): Promise<{ session: InferenceSession; modelPath: string; onnxFile: OnnxFileChoice }> {
  const files = modelSourceFiles(source);
  const onnxFile = await chooseOnnxFile(files, options.config, {
    ...options,
    locate: (file) => (source.dir !== undefined ? join(source.dir, file) : `${file} of ${source.ref}`),
  });
  const modelPath = await files.localPath(onnxFile.file);
  // Large exports keep weights beside the graph; onnxruntime finds them next to it (hub files: in the snapshot).
  for (const data of onnxFile.externalData) await files.localPath(data);
  const session = await createInferenceSession(modelPath, options);
  return { session, modelPath, onnxFile };
}
