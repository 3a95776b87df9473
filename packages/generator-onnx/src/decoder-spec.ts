import { RagloomError } from '@ragloom/core';
import { assertGraphSignature, type GraphSignature, type JsonObject } from '@ragloom/onnx-model';

/** How to drive one exported decoder graph (Hugging Face / Optimum layout, batch 1). */
export interface DecoderSpec {
  readonly numLayers: number;
  /** Key/value heads (GQA: fewer than attention heads). */
  readonly numKvHeads: number;
  readonly headDim: number;
  readonly vocabSize: number;
  /** Longest sequence (prompt + output) the model takes. */
  readonly contextLength: number;
  /** `past_key_values.N.key` / `.value` input names and the matching `present.N.*` outputs, by layer. */
  readonly pastInputs: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly presentOutputs: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  /** Element type of the cache tensors (`float32` or `float16`). */
  readonly cacheType: 'float32' | 'float16';
  readonly hasAttentionMask: boolean;
  readonly hasPositionIds: boolean;
  /** Optimum's merged decoders take a bool telling whether the past is used. */
  readonly hasUseCacheBranch: boolean;
  /** Newer exports can return logits for the last positions only. */
  readonly logitsToKeepInput: string | undefined;
}

const int = (config: JsonObject, key: string): number | undefined => {
  const v = config[key];
  return typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;
};

/** Text configs of multimodal models live under `text_config`. */
function textConfig(config: JsonObject): JsonObject {
  const nested = config.text_config;
  return typeof nested === 'object' && nested !== null && !Array.isArray(nested)
    ? (nested as JsonObject)
    : config;
}

function invalid(modelPath: string, message: string, details: Record<string, unknown> = {}): never {
  throw new RagloomError('MODEL_INVALID', `${modelPath}: ${message}`, {
    details: { path: modelPath, ...details },
  });
}

/**
 * Reads the cache geometry from config.json (layers, `num_key_value_heads`, `head_dim` or hidden/heads) and
 * checks it against the graph: every layer's past and present, and fixed dimensions that agree. A graph this
 * adapter cannot drive is `MODEL_INVALID`, naming the file and what is wrong.
 */
export function decoderSpecFrom(
  rawConfig: JsonObject,
  graph: GraphSignature,
  modelPath: string,
  contextLimit: number | undefined,
): DecoderSpec {
  const config = textConfig(rawConfig);
  const numHeads = int(config, 'num_attention_heads') ?? int(config, 'n_head');
  const numLayersConfig = int(config, 'num_hidden_layers') ?? int(config, 'n_layer');
  const hidden = int(config, 'hidden_size') ?? int(config, 'n_embd');
  const numKvHeads = int(config, 'num_key_value_heads') ?? numHeads;
  const headDim =
    int(config, 'head_dim') ??
    (hidden !== undefined && numHeads !== undefined ? hidden / numHeads : undefined);
  const vocabSize = int(config, 'vocab_size');
  if (numKvHeads === undefined || headDim === undefined || !Number.isInteger(headDim)) {
    invalid(
      modelPath,
      'config.json must give num_key_value_heads (or num_attention_heads) and head_dim (or hidden_size)',
    );
  }

  const pastPattern = /^past_key_values\.(\d+)\.(key|value)$/;
  const layers = new Set<number>();
  for (const input of graph.inputs) {
    const match = pastPattern.exec(input.name);
    if (match) layers.add(Number(match[1]));
  }
  const numLayers = layers.size;
  if (numLayers === 0) {
    invalid(
      modelPath,
      'the graph has no past_key_values.N.key/value inputs: export it with a KV cache (optimum "text-generation-with-past")',
    );
  }
  if (numLayersConfig !== undefined && numLayersConfig !== numLayers) {
    invalid(
      modelPath,
      `config.json says ${numLayersConfig} layers but the graph has past inputs for ${numLayers}`,
    );
  }
  const pastInputs = Array.from({ length: numLayers }, (_, i) => ({
    key: `past_key_values.${i}.key`,
    value: `past_key_values.${i}.value`,
  }));
  const presentOutputs = Array.from({ length: numLayers }, (_, i) => ({
    key: `present.${i}.key`,
    value: `present.${i}.value`,
  }));
  const optionalInputs = [
    'attention_mask',
    'position_ids',
    'use_cache_branch',
    'num_logits_to_keep',
    'logits_to_keep',
  ];
  assertGraphSignature(
    graph,
    {
      requiredInputs: ['input_ids', ...pastInputs.flatMap((p) => [p.key, p.value])],
      optionalInputs,
      requiredOutputs: ['logits', ...presentOutputs.flatMap((p) => [p.key, p.value])],
      types: { input_ids: 'int64' },
    },
    modelPath,
  );

  const first = graph.inputs.find((v) => v.name === 'past_key_values.0.key');
  const cacheType = first?.type === 'float16' ? 'float16' : 'float32';
  if (first?.type !== 'float32' && first?.type !== 'float16') {
    invalid(
      modelPath,
      `past_key_values.0.key is ${String(first?.type)}; only float32 and float16 caches are supported`,
    );
  }
  // Fixed dims in the graph must agree with config.json ([batch, kv_heads, past, head_dim]).
  const [, heads, , dim] = first?.shape ?? [];
  if (typeof heads === 'number' && heads !== numKvHeads) {
    invalid(
      modelPath,
      `config.json num_key_value_heads is ${numKvHeads} but the graph's cache has ${heads} heads`,
      {
        expected: heads,
        actual: numKvHeads,
      },
    );
  }
  if (typeof dim === 'number' && dim !== headDim) {
    invalid(modelPath, `config.json head_dim is ${headDim} but the graph's cache has ${dim}`, {
      expected: dim,
      actual: headDim,
    });
  }
  const logits = graph.outputs.find((v) => v.name === 'logits');
  const logitsVocab = logits?.shape.at(-1);
  const vocab = typeof logitsVocab === 'number' ? logitsVocab : vocabSize;
  if (vocab === undefined) invalid(modelPath, 'config.json has no vocab_size and the graph does not fix it');
  if (vocabSize !== undefined && typeof logitsVocab === 'number' && logitsVocab !== vocabSize) {
    invalid(modelPath, `config.json vocab_size is ${vocabSize} but the graph's logits have ${logitsVocab}`);
  }
  const names = new Set(graph.inputs.map((v) => v.name));
  const contextLength = contextLimit ?? int(config, 'max_position_embeddings') ?? int(config, 'n_positions');
  if (contextLength === undefined) {
    invalid(
      modelPath,
      'cannot tell the context length: config.json has no max_position_embeddings and tokenizer_config.json no model_max_length',
    );
  }
  return {
    numLayers,
    numKvHeads,
    headDim,
    vocabSize: vocab,
    contextLength,
    pastInputs,
    presentOutputs,
    cacheType,
    hasAttentionMask: names.has('attention_mask'),
    hasPositionIds: names.has('position_ids'),
    hasUseCacheBranch: names.has('use_cache_branch'),
    logitsToKeepInput: names.has('num_logits_to_keep')
      ? 'num_logits_to_keep'
      : names.has('logits_to_keep')
        ? 'logits_to_keep'
        : undefined,
  };
}
