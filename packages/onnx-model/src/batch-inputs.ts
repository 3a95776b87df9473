import { RagloomError, throwIfAborted } from '@ragloom/core';
import { type InferenceSession, Tensor } from 'onnxruntime-node';
import { tensorToFloat32 } from './float16.js';
import type { TokenizedText } from './model-tokenizer.js';

/**
 * Groups tokenized inputs into forward-pass batches by a token budget: longest first so that inputs of
 * similar length share a batch (little padding); each batch holds at most `maxBatchSize` inputs and
 * `maxBatchTokens` padded tokens (an input longer than the budget gets a batch of its own). Returns
 * indices into `lengths`; callers put results back in input order.
 */
export function planBatches(
  lengths: readonly number[],
  maxBatchSize: number,
  maxBatchTokens: number,
): number[][] {
  const order = lengths.map((_, i) => i).sort((a, b) => lengths[b]! - lengths[a]! || a - b);
  const batches: number[][] = [];
  let current: number[] = [];
  let width = 0;
  for (const index of order) {
    const length = lengths[index]!;
    const nextWidth = Math.max(width, length);
    if (
      current.length > 0 &&
      (current.length >= maxBatchSize || nextWidth * (current.length + 1) > maxBatchTokens)
    ) {
      batches.push(current);
      current = [];
      width = 0;
    }
    current.push(index);
    width = Math.max(width, length);
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** How many inputs, and padded tokens, one forward pass may take. */
export interface BatchLimits {
  readonly maxBatchSize: number;
  readonly maxBatchTokens: number;
}

/**
 * Runs tokenized inputs through `runBatch` in the batches `planBatches` plans, one forward pass at a time,
 * checking `signal` before each (`stage` names the work in the abort error); returns one result per input,
 * in input order.
 */
export async function runInBatches<T>(
  inputs: readonly TokenizedText[],
  limits: BatchLimits,
  runBatch: (batch: TokenizedText[]) => Promise<ArrayLike<T>>,
  abort: { readonly signal?: AbortSignal | undefined; readonly stage: string },
): Promise<T[]> {
  const results = new Array<T>(inputs.length);
  const plan = planBatches(
    inputs.map((e) => e.ids.length),
    limits.maxBatchSize,
    limits.maxBatchTokens,
  );
  for (const indices of plan) {
    throwIfAborted(abort.signal, abort.stage);
    const batchResults = await runBatch(indices.map((i) => inputs[i]!));
    indices.forEach((index, row) => {
      results[index] = batchResults[row]!;
    });
  }
  return results;
}

/** One output of a forward pass as float32 values (float16 outputs converted), with its shape. */
export interface FloatOutput {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/**
 * One forward pass of a padded batch, fetching the one output `outputName` as float32 values (fp16 exports
 * return float16: half bits on Node 20/22, Float16Array on 24). onnxruntime's failure becomes MODEL_INVALID
 * naming the model file and the batch's size and width.
 */
export async function runForwardPass(
  session: InferenceSession,
  feeds: Omit<BatchFeeds, 'width'>,
  outputName: string,
  batch: { readonly modelPath: string; readonly size: number; readonly width: number },
): Promise<FloatOutput> {
  let result: InferenceSession.ReturnType;
  try {
    result = await session.run(feeds as Record<string, Tensor>, [outputName]);
  } catch (error) {
    throw new RagloomError(
      'MODEL_INVALID',
      `onnxruntime failed on ${batch.modelPath}: ${(error as Error).message}`,
      {
        cause: error,
        details: { path: batch.modelPath, batch: batch.size, width: batch.width },
      },
    );
  }
  const tensor = result[outputName] as Tensor;
  return { data: tensorToFloat32(tensor, `${outputName} of ${batch.modelPath}`), dims: tensor.dims };
}

/**
 * Input arrays kept between batches so a long ingest does not allocate three arrays per forward pass. Tensors
 * built from them are views: run the session before building the next batch's feeds.
 */
export interface BatchBuffers {
  ids: BigInt64Array;
  mask: BigInt64Array;
  types: BigInt64Array;
}

export function createBatchBuffers(capacity = 0): BatchBuffers {
  return {
    ids: new BigInt64Array(capacity),
    mask: new BigInt64Array(capacity),
    types: new BigInt64Array(capacity),
  };
}

/** The int64 inputs of a BERT-style graph for one padded batch. */
export interface BatchFeeds {
  readonly input_ids: Tensor;
  readonly attention_mask: Tensor;
  /** Present when asked for (the graph declares `token_type_ids`). */
  readonly token_type_ids?: Tensor;
  /** Sequence length of the batch (its longest input). */
  readonly width: number;
}

/**
 * Right-pads a batch to its longest input: `input_ids` with the pad id, `attention_mask` 1 on real
 * tokens and 0 on padding, `token_type_ids` (segment ids of pairs) when `tokenTypeIds` is true.
 */
export function createBatchFeeds(
  batch: readonly TokenizedText[],
  options: {
    readonly padTokenId: number;
    readonly tokenTypeIds: boolean;
    /** Scratch arrays reused across batches (views of them become the tensors); grown when too small. */
    readonly buffers?: BatchBuffers;
  },
): BatchFeeds {
  const width = batch.reduce((m, e) => Math.max(m, e.ids.length), 0);
  const size = batch.length * width;
  const scratch = options.buffers;
  if (scratch && scratch.ids.length < size) {
    scratch.ids = new BigInt64Array(size);
    scratch.mask = new BigInt64Array(size);
    scratch.types = new BigInt64Array(size);
  }
  const ids = scratch ? scratch.ids.subarray(0, size) : new BigInt64Array(size);
  ids.fill(BigInt(options.padTokenId));
  const mask = scratch ? scratch.mask.subarray(0, size).fill(0n) : new BigInt64Array(size);
  const types = options.tokenTypeIds
    ? scratch
      ? scratch.types.subarray(0, size).fill(0n)
      : new BigInt64Array(size)
    : undefined;
  batch.forEach((encoding, row) => {
    const base = row * width;
    for (let t = 0; t < encoding.ids.length; t++) {
      ids[base + t] = BigInt(encoding.ids[t]!);
      mask[base + t] = 1n;
      if (types) types[base + t] = BigInt(encoding.tokenTypeIds[t] ?? 0);
    }
  });
  const dims = [batch.length, width];
  return {
    input_ids: new Tensor('int64', ids, dims),
    attention_mask: new Tensor('int64', mask, dims),
    ...(types ? { token_type_ids: new Tensor('int64', types, dims) } : {}),
    width,
  };
}
