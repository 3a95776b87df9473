import { RagloomError } from '@ragloom/core';
import type { JsonObject } from '@ragloom/onnx-model';

/**
 * How token vectors become one sentence vector, as sentence-transformers' Pooling module does it:
 * `mean` over real tokens, the `cls` (first) token, element-wise `max`, `mean_sqrt_len` (sum / √n), or the
 * `last` real token (decoder-style embedders).
 */
export type PoolingStrategy = 'mean' | 'cls' | 'max' | 'mean_sqrt_len' | 'last';

export const POOLING_STRATEGIES: readonly PoolingStrategy[] = ['mean', 'cls', 'max', 'mean_sqrt_len', 'last'];

const POOLING_KEYS: Record<string, PoolingStrategy> = {
  pooling_mode_mean_tokens: 'mean',
  pooling_mode_cls_token: 'cls',
  pooling_mode_max_tokens: 'max',
  pooling_mode_mean_sqrt_len_tokens: 'mean_sqrt_len',
  pooling_mode_lasttoken: 'last',
};

/** Reads `1_Pooling/config.json`; more than one active mode (concatenated vectors) is not supported. */
export function poolingFromConfig(config: JsonObject, file: string): PoolingStrategy {
  if (typeof config.pooling_mode === 'string') {
    const named = config.pooling_mode === 'lasttoken' ? 'last' : config.pooling_mode;
    if ((POOLING_STRATEGIES as readonly string[]).includes(named)) return named as PoolingStrategy;
  }
  const active = Object.entries(POOLING_KEYS).filter(([key]) => config[key] === true);
  const unsupported = Object.keys(config).filter(
    (key) => key.startsWith('pooling_mode_') && config[key] === true && !(key in POOLING_KEYS),
  );
  if (active.length !== 1 || unsupported.length > 0) {
    throw new RagloomError(
      'UNSUPPORTED',
      `${file} asks for pooling ${[...active.map(([k]) => k), ...unsupported].join(' + ') || '(none)'}; ` +
        `exactly one of ${Object.keys(POOLING_KEYS).join(', ')} is supported — pass the \`pooling\` option to override`,
      { details: { file } },
    );
  }
  return active[0]![1];
}

/**
 * Pools `hidden` ([batch, seq, dim], row-major) into one vector per row, over the positions where `mask` is 1.
 * Accumulates in float64 so that long inputs do not lose precision.
 */
export function poolHiddenStates(
  hidden: Float32Array,
  mask: ArrayLike<bigint>,
  batch: number,
  seq: number,
  dim: number,
  strategy: PoolingStrategy,
): Float32Array[] {
  const out: Float32Array[] = [];
  const acc = new Float64Array(dim);
  for (let b = 0; b < batch; b++) {
    const vector = new Float32Array(dim);
    const rowMask = b * seq;
    const rowHidden = b * seq * dim;
    if (strategy === 'cls') {
      vector.set(hidden.subarray(rowHidden, rowHidden + dim));
    } else if (strategy === 'last') {
      let last = 0;
      for (let t = 0; t < seq; t++) if (mask[rowMask + t] !== 0n) last = t;
      vector.set(hidden.subarray(rowHidden + last * dim, rowHidden + (last + 1) * dim));
    } else if (strategy === 'max') {
      acc.fill(Number.NEGATIVE_INFINITY);
      for (let t = 0; t < seq; t++) {
        if (mask[rowMask + t] === 0n) continue;
        const base = rowHidden + t * dim;
        for (let d = 0; d < dim; d++) if (hidden[base + d]! > acc[d]!) acc[d] = hidden[base + d]!;
      }
      for (let d = 0; d < dim; d++) vector[d] = Number.isFinite(acc[d]!) ? acc[d]! : 0;
    } else {
      acc.fill(0);
      let count = 0;
      for (let t = 0; t < seq; t++) {
        if (mask[rowMask + t] === 0n) continue;
        count++;
        const base = rowHidden + t * dim;
        for (let d = 0; d < dim; d++) acc[d]! += hidden[base + d]!;
      }
      const divisor = count === 0 ? 1 : strategy === 'mean' ? count : Math.sqrt(count);
      for (let d = 0; d < dim; d++) vector[d] = acc[d]! / divisor;
    }
    out.push(vector);
  }
  return out;
}

/** L2-normalises in place (a zero vector stays zero, as in torch.nn.functional.normalize). */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < vector.length; i++) sum += vector[i]! * vector[i]!;
  const n = Math.max(Math.sqrt(sum), 1e-12);
  for (let i = 0; i < vector.length; i++) vector[i] = vector[i]! / n;
  return vector;
}
