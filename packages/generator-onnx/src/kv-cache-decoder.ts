import { RagloomError } from '@ragloom/core';
import { type InferenceSession, Tensor } from '@ragloom/onnx-model';
import type { DecoderSpec } from './decoder-spec.js';
import { float16ToFloat32 } from './float16.js';

/**
 * Runs a decoder with its KV cache: the prompt in one pass (`prefill`), then one token per `step`, feeding each
 * run's `present.*` back as the next run's `past_key_values.*`. Batch size 1.
 */
export interface KvCacheDecoder {
  /** Tokens in the cache so far. */
  readonly length: number;
  /**
   * Runs `ids` after whatever is cached (nothing, on a fresh decoder) in one pass. Returns the logits of the last
   * position, or of every position (`[ids.length × vocab]`, row-major) with `allLogits`.
   */
  prefill(ids: readonly number[], options?: { readonly allLogits?: boolean }): Promise<Float32Array>;
  /** Feeds one token, reusing the cache; returns the logits for the position after it. */
  step(id: number): Promise<Float32Array>;
  /**
   * Drops cached positions past `length` (speculative decoding: draft tokens the model did not confirm). Later
   * runs see exactly the cache a decoder that never ran them would have.
   */
  truncate(length: number): void;
}

type Feeds = Record<string, Tensor>;

export function createKvCacheDecoder(session: InferenceSession, spec: DecoderSpec): KvCacheDecoder {
  const { contextLength, vocabSize } = spec;
  // One buffer of ones; each run's attention mask is a view of its first `total` entries.
  const ones = new BigInt64Array(contextLength).fill(1n);
  const stepIds = new BigInt64Array(1);
  const stepPositions = new BigInt64Array(1);
  const stepInput = new Tensor('int64', stepIds, [1, 1]);
  const stepPositionTensor = new Tensor('int64', stepPositions, [1, 1]);
  const feeds: Feeds = {};
  const emptyCache =
    spec.cacheType === 'float16'
      ? new Tensor('float16', new Uint16Array(0), [1, spec.numKvHeads, 0, spec.headDim])
      : new Tensor('float32', new Float32Array(0), [1, spec.numKvHeads, 0, spec.headDim]);
  for (const { key, value } of spec.pastInputs) {
    feeds[key] = emptyCache;
    feeds[value] = emptyCache;
  }
  let length = 0;

  async function run(count: number, allLogits: boolean): Promise<Float32Array> {
    const total = length + count;
    if (total > contextLength) {
      throw new RagloomError(
        'CONTEXT_LENGTH_EXCEEDED',
        `the sequence would be ${total} tokens; the model takes ${contextLength}`,
        {
          details: { tokens: total, contextLength },
        },
      );
    }
    if (spec.hasAttentionMask)
      feeds.attention_mask = new Tensor('int64', ones.subarray(0, total), [1, total]);
    if (spec.hasUseCacheBranch)
      feeds.use_cache_branch = new Tensor('bool', new Uint8Array([length > 0 ? 1 : 0]), [1]);
    if (spec.logitsToKeepInput) {
      feeds[spec.logitsToKeepInput] = new Tensor('int64', BigInt64Array.of(allLogits ? 0n : 1n), []);
    }
    const outputs = await session.run(feeds);
    for (let layer = 0; layer < spec.numLayers; layer++) {
      const past = spec.pastInputs[layer] as { key: string; value: string };
      const present = spec.presentOutputs[layer] as { key: string; value: string };
      feeds[past.key] = outputs[present.key] as Tensor;
      feeds[past.value] = outputs[present.value] as Tensor;
    }
    length = total;
    const logits = outputs.logits as Tensor;
    const data =
      logits.type === 'float16'
        ? float16ToFloat32(logits.data as Uint16Array)
        : (logits.data as Float32Array);
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
    truncate(newLength) {
      if (!Number.isInteger(newLength) || newLength < 0 || newLength > length) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `cannot truncate a cache of ${length} positions to ${newLength}`,
        );
      }
      if (newLength === length) return;
      const { numKvHeads: heads, headDim } = spec;
      for (const { key, value } of spec.pastInputs) {
        for (const name of [key, value]) {
          const tensor = feeds[name] as Tensor;
          const source = tensor.data as Float32Array | Uint16Array;
          // [1, heads, length, headDim] → [1, heads, newLength, headDim]: one contiguous block per head.
          const kept =
            source instanceof Float32Array
              ? new Float32Array(heads * newLength * headDim)
              : new Uint16Array(heads * newLength * headDim);
          for (let h = 0; h < heads; h++) {
            kept.set(
              source.subarray(h * length * headDim, (h * length + newLength) * headDim),
              h * newLength * headDim,
            );
          }
          feeds[name] =
            kept instanceof Float32Array
              ? new Tensor('float32', kept, [1, heads, newLength, headDim])
              : new Tensor('float16', kept, [1, heads, newLength, headDim]);
        }
      }
      length = newLength;
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
  };
}
