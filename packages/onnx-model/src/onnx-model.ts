import type { InferenceSession } from 'onnxruntime-node';
import {
  assertGraphSignature,
  type GraphExpectation,
  type GraphSignature,
  graphSignature,
} from './graph-io.js';
import type { HubOptions } from './hub-options.js';
import { loadInferenceSession, type SessionOptions } from './inference-session.js';
import { type JsonObject, positiveIntField, readModelJson, readOptionalModelJson } from './model-config.js';
import { type ModelSource, openModelSource } from './model-source.js';
import { createModelTokenizer, type ModelTokenizer } from './model-tokenizer.js';
import type { OnnxFileChoice, OnnxFileOptions } from './onnx-file.js';

/** Loads `tokenizer.json` (+ `tokenizer_config.json`, if present) of a model with `@huggingface/tokenizers`. */
export async function loadModelTokenizer(source: ModelSource): Promise<ModelTokenizer> {
  const tokenizerPath = await source.file('tokenizer.json');
  const tokenizerJson = await readModelJson(source, 'tokenizer.json');
  const tokenizerConfig = (await readOptionalModelJson(source, 'tokenizer_config.json')) ?? {};
  return createModelTokenizer(tokenizerJson, tokenizerConfig, tokenizerPath);
}

export interface LoadOnnxModelOptions extends HubOptions, SessionOptions, OnnxFileOptions {
  /**
   * Base names tried in order when `modelFileName` is not given (adapters set this: decoders pass
   * `DECODER_MODEL_FILE_NAMES` so a merged decoder is found). Default `['model']`.
   */
  readonly baseNames?: readonly string[];
  /** Checked against the graph; a mismatch is `MODEL_INVALID`. */
  readonly expectGraph?: GraphExpectation;
  /** Further files the adapter wants fetched (optional ones resolve to undefined if absent). */
  readonly optionalFiles?: readonly string[];
}

/** Everything an ONNX adapter needs, loaded and checked. */
export interface OnnxModel {
  readonly source: ModelSource;
  /** `config.json`. */
  readonly config: JsonObject;
  /** `tokenizer_config.json` ({} when absent). */
  readonly tokenizerConfig: JsonObject;
  /** `generation_config.json`, if the model has one. */
  readonly generationConfig: JsonObject | undefined;
  readonly tokenizer: ModelTokenizer;
  readonly session: InferenceSession;
  readonly modelPath: string;
  /** Which ONNX file was chosen and why (dtype and where it came from, external data). */
  readonly onnxFile: OnnxFileChoice;
  readonly graph: GraphSignature;
  /** The longest input the model takes: min(`model_max_length`, `max_position_embeddings`), if either is set. */
  readonly maxLength: number | undefined;
  /** Local paths of `optionalFiles` that exist. */
  readonly files: Readonly<Record<string, string | undefined>>;
  /** Releases the onnxruntime session. */
  close(): Promise<void>;
}

/**
 * Resolves a model reference (local folder or hub id, downloading into the cache if needed), reads its configs,
 * builds its tokenizer and opens an onnxruntime-node session, checking the graph against `expectGraph`.
 */
export async function loadOnnxModel(ref: string, options: LoadOnnxModelOptions = {}): Promise<OnnxModel> {
  const source = openModelSource(ref, options);
  const config = await readModelJson(source, 'config.json');
  const tokenizerConfig = (await readOptionalModelJson(source, 'tokenizer_config.json')) ?? {};
  const generationConfig = await readOptionalModelJson(source, 'generation_config.json');
  const tokenizer = await loadModelTokenizer(source);
  const files: Record<string, string | undefined> = {};
  for (const file of options.optionalFiles ?? []) files[file] = await source.optionalFile(file);
  const { session, modelPath, onnxFile } = await loadInferenceSession(source, { ...options, config });
  const graph = graphSignature(session);
  if (options.expectGraph) {
    try {
      assertGraphSignature(graph, options.expectGraph, modelPath);
    } catch (error) {
      await session.release();
      throw error;
    }
  }
  const limits = [tokenizer.modelMaxLength, positiveIntField(config, 'max_position_embeddings')].filter(
    (n): n is number => n !== undefined,
  );
  return {
    source,
    config,
    tokenizerConfig,
    generationConfig,
    tokenizer,
    session,
    modelPath,
    onnxFile,
    graph,
    maxLength: limits.length > 0 ? Math.min(...limits) : undefined,
    files,
    close: () => session.release(),
  };
}
