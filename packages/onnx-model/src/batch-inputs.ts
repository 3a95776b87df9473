import { Tensor } from 'onnxruntime-node';
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
