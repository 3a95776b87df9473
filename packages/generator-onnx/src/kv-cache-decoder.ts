import { RagloomError } from '@ragloom/core';
import {
  float16Bits,
  float16Tensor,
  type InferenceSession,
  outputAsInput,
  Tensor,
  tensorToFloat32,
} from '@ragloom/onnx-model';
import type { DecoderSpec } from './decoder-spec.js';

/**
 * Runs a decoder with its KV cache: the prompt in one pass (`prefill`), then one token per `step`, feeding each
 * run's `present.*` back as the next run's `past_key_values.*`. Batch size 1.
 */
export interface KvCacheDecoder {
  /** Tokens in the cache that count (the position of the next token). */
  readonly length: number;
  /**
   * Runs `ids` after whatever is cached (nothing, on a fresh decoder) in one pass. Returns the logits of the last
   * position, or of every position (`[ids.length × vocab]`, row-major) with `allLogits`.
   */
  prefill(ids: readonly number[], options?: { readonly allLogits?: boolean }): Promise<Float32Array>;
  /** Feeds one token, reusing the cache; returns the logits for the position after it. */
  step(id: number): Promise<Float32Array>;
  /**
   * Forgets the last `count` tokens (speculative decoding: draft tokens the model did not confirm). Later runs
   * see what a decoder that never ran them would see. Graphs that take `attention_mask` and `position_ids` just
   * mask the slots out (no copy; the cache is compacted only when it runs out of room); others are cut by copy.
   */
  discard(count: number): void;
}

type Feeds = Record<string, Tensor>;

export function createKvCacheDecoder(session: InferenceSession, spec: DecoderSpec): KvCacheDecoder {
  const { contextLength, vocabSize, numKvHeads: heads, headDim } = spec;
  // The attention mask over cache slots: 1 for tokens that count, 0 for discarded ones. Each run's mask is a view
  // of its first `slots + count` entries, so building it allocates nothing.
  const mask = new BigInt64Array(contextLength).fill(1n);
  const canMask = spec.hasAttentionMask && spec.hasPositionIds;
  const stepIds = new BigInt64Array(1);
  const stepPositions = new BigInt64Array(1);
  const stepInput = new Tensor('int64', stepIds, [1, 1]);
  const stepPositionTensor = new Tensor('int64', stepPositions, [1, 1]);
  const feeds: Feeds = {};
  const emptyCache =
    spec.cacheType === 'float16'
      ? float16Tensor(new Uint16Array(0), [1, heads, 0, headDim])
      : new Tensor('float32', new Float32Array(0), [1, heads, 0, headDim]);
  for (const { key, value } of spec.pastInputs) {
    feeds[key] = emptyCache;
    feeds[value] = emptyCache;
  }
  /** Tokens that count. */
  let length = 0;
  /** Cache slots in use (tokens that count plus masked-out ones). */
  let slots = 0;

  /** Rewrites every cache tensor keeping only the slots where `keep(slot)`; resets the mask. */
  function compact(keep: (slot: number) => boolean, kept: number): void {
    const order: number[] = [];
    for (let slot = 0; slot < slots; slot++) if (keep(slot)) order.push(slot);
    for (const { key, value } of spec.pastInputs) {
      for (const name of [key, value]) {
        const cache = feeds[name] as Tensor;
        // fp16 caches are copied as half bits, never as numbers (a Float16Array view would convert them).
        const source = cache.type === 'float16' ? float16Bits(cache.data) : (cache.data as Float32Array);
        const target =
          source instanceof Float32Array
            ? new Float32Array(heads * kept * headDim)
            : new Uint16Array(heads * kept * headDim);
        // [1, heads, slots, headDim] → [1, heads, kept, headDim]; runs of kept slots copy as one block.
        for (let h = 0; h < heads; h++) {
          let out = h * kept * headDim;
          for (let i = 0; i < order.length; ) {
            let j = i + 1;
            while (j < order.length && order[j] === (order[j - 1] as number) + 1) j++;
            const from = (h * slots + (order[i] as number)) * headDim;
            const span = (j - i) * headDim;
            target.set(source.subarray(from, from + span), out);
            out += span;
            i = j;
          }
        }
        feeds[name] =
          target instanceof Float32Array
            ? new Tensor('float32', target, [1, heads, kept, headDim])
            : float16Tensor(target, [1, heads, kept, headDim]);
      }
    }
    mask.fill(1n, 0, contextLength);
    slots = kept;
  }

  async function run(count: number, allLogits: boolean): Promise<Float32Array> {
    if (length + count > contextLength) {
      throw new RagloomError(
        'CONTEXT_LENGTH_EXCEEDED',
        `the sequence would be ${length + count} tokens; the model takes ${contextLength}`,
        { details: { tokens: length + count, contextLength } },
      );
    }
    // Masked-out slots still take room; squeeze them out when the new tokens would not fit.
    if (slots + count > contextLength) compact((slot) => mask[slot] === 1n, length);
    const total = slots + count;
    if (spec.hasAttentionMask)
      feeds.attention_mask = new Tensor('int64', mask.subarray(0, total), [1, total]);
    if (spec.hasUseCacheBranch)
      feeds.use_cache_branch = new Tensor('bool', new Uint8Array([slots > 0 ? 1 : 0]), [1]);
    if (spec.logitsToKeepInput) {
      feeds[spec.logitsToKeepInput] = new Tensor('int64', BigInt64Array.of(allLogits ? 0n : 1n), []);
    }
    const outputs = await session.run(feeds);
    for (let layer = 0; layer < spec.numLayers; layer++) {
      const past = spec.pastInputs[layer] as { key: string; value: string };
      const present = spec.presentOutputs[layer] as { key: string; value: string };
      // float16 presents come back as Float16Array on Node 24, which onnxruntime-node cannot take as input.
      feeds[past.key] = outputAsInput(outputs[present.key] as Tensor);
      feeds[past.value] = outputAsInput(outputs[present.value] as Tensor);
    }
    length += count;
    slots = total;
    const logits = outputs.logits as Tensor;
    const data = tensorToFloat32(logits, 'logits');
    const rows = data.length / vocabSize;
    return allLogits ? data : data.subarray((rows - 1) * vocabSize, rows * vocabSize);
  }

  return {
    get length() {
      return length;
    },
    prefill(ids, options = {}) {
      if (ids.length === 0) throw new RagloomError('INVALID_ARGUMENT', 'prefill needs at least one token');
      const input = BigInt64Array.from(ids, (id) => BigInt(id));
      feeds.input_ids = new Tensor('int64', input, [1, ids.length]);
      if (spec.hasPositionIds) {
        const positions = BigInt64Array.from(ids, (_, i) => BigInt(length + i));
        feeds.position_ids = new Tensor('int64', positions, [1, ids.length]);
      }
      return run(ids.length, options.allLogits === true);
    },
    step(id) {
      stepIds[0] = BigInt(id);
      feeds.input_ids = stepInput;
      if (spec.hasPositionIds) {
        stepPositions[0] = BigInt(length);
        feeds.position_ids = stepPositionTensor;
      }
      return run(1, false);
    },
    discard(count) {
      if (!Number.isInteger(count) || count < 0 || count > length) {
        throw new RagloomError('INVALID_ARGUMENT', `cannot discard ${count} of ${length} cached tokens`);
      }
      if (count === 0) return;
      // The last `count` tokens that count are the last `count` slots whose mask is 1.
      let left = count;
      for (let slot = slots - 1; slot >= 0 && left > 0; slot--) {
        if (mask[slot] === 1n) {
          mask[slot] = 0n;
          left--;
        }
      }
      length -= count;
      if (!canMask) compact((slot) => mask[slot] === 1n, length);
    },
  };
}
