import { RagloomError } from '@ragloom/core';

/** How the graph walk stores vectors: float32 as given, 8-bit scalar codes, or one bit per dimension. */
export type Quantization = 'none' | 'int8' | 'binary';

/**
 * Scalar quantization, one range per dimension, trained on the data: x̂_i = offset_i + scale_i · c_i
 * with c_i ∈ 0..255. Ranges are the 0.1% / 99.9% quantiles of each dimension over a sample, so a
 * few outliers do not coarsen the grid (they clip).
 */
export interface Int8Quantizer {
  readonly kind: 'int8';
  readonly offsets: Float32Array;
  readonly scales: Float32Array;
}

/** Binary quantization: bit i is set when x_i is above the dimension's mean (trained on the data). */
export interface BinaryQuantizer {
  readonly kind: 'binary';
  readonly means: Float32Array;
}

export type Quantizer = Int8Quantizer | BinaryQuantizer;

/** Rows sampled to train a quantizer (evenly spread over the rows given). */
export const TRAINING_SAMPLE = 16_384;
const CLIP_QUANTILE = 0.001;

/** Bytes of one row of codes in a file (unpadded). */
export function codeBytes(kind: 'int8' | 'binary', dimension: number): number {
  return kind === 'int8' ? dimension : Math.ceil(dimension / 8);
}

/** Bytes of one row of codes in a kernel: padded to 16 bytes, so the SIMD loops need no tail. */
export function paddedCodeBytes(kind: 'int8' | 'binary', dimension: number): number {
  return Math.ceil(codeBytes(kind, dimension) / 16) * 16;
}

/**
 * Trains a quantizer on `count` rows (`row(i)` returns a dimension-long view), sampling at most
 * TRAINING_SAMPLE of them evenly.
 */
export function trainQuantizer(
  kind: 'int8' | 'binary',
  dimension: number,
  count: number,
  row: (index: number) => Float32Array,
): Quantizer {
  const samples = Math.min(count, TRAINING_SAMPLE);
  const picked: Float32Array[] = [];
  for (let i = 0; i < samples; i++) picked.push(row(Math.floor((i * count) / samples)));
  if (kind === 'binary') {
    const means = new Float32Array(dimension);
    for (let d = 0; d < dimension; d++) {
      let sum = 0;
      for (const v of picked) sum += v[d]!;
      means[d] = samples === 0 ? 0 : sum / samples;
    }
    return { kind, means };
  }
  const offsets = new Float32Array(dimension);
  const scales = new Float32Array(dimension);
  const column = new Float32Array(samples);
  const clip = Math.floor(CLIP_QUANTILE * samples);
  for (let d = 0; d < dimension; d++) {
    for (let i = 0; i < samples; i++) column[i] = picked[i]![d]!;
    column.sort();
    const lo = samples === 0 ? 0 : column[clip]!;
    const hi = samples === 0 ? 0 : column[samples - 1 - clip]!;
    offsets[d] = lo;
    // A constant dimension keeps scale 0: every code is 0 and x̂ = offset, exactly.
    scales[d] = hi > lo ? (hi - lo) / 255 : 0;
  }
  return { kind, offsets, scales };
}

/** Writes the codes of `vector` into `out` from `at` (padding bytes are left as they are: zero). */
export function encodeVector(quantizer: Quantizer, vector: Float32Array, out: Uint8Array, at: number): void {
  const dimension = vector.length;
  if (quantizer.kind === 'int8') {
    const { offsets, scales } = quantizer;
    for (let d = 0; d < dimension; d++) {
      const scale = scales[d]!;
      const c = scale === 0 ? 0 : Math.round((vector[d]! - offsets[d]!) / scale);
      out[at + d] = Math.max(0, Math.min(255, c));
    }
    return;
  }
  const means = quantizer.means;
  const bytes = codeBytes('binary', dimension);
  for (let b = 0; b < bytes; b++) {
    let byte = 0;
    for (let bit = 0; bit < 8; bit++) {
      const d = b * 8 + bit;
      if (d < dimension && vector[d]! > means[d]!) byte |= 1 << bit;
    }
    out[at + b] = byte;
  }
}

/** The quantizer as the `quantizer` section of the index file stores it (float32 arrays). */
export function quantizerBytes(quantizer: Quantizer): Uint8Array {
  if (quantizer.kind === 'binary') return new Uint8Array(quantizer.means.slice().buffer);
  const dimension = quantizer.offsets.length;
  const out = new Float32Array(2 * dimension);
  out.set(quantizer.offsets, 0);
  out.set(quantizer.scales, dimension);
  return new Uint8Array(out.buffer);
}

/** Byte length of the `quantizer` section for a kind and dimension. */
export function quantizerSectionBytes(kind: 'int8' | 'binary', dimension: number): number {
  return (kind === 'int8' ? 8 : 4) * dimension;
}

/** Reads a `quantizer` section back; non-finite or negative parameters are `INDEX_CORRUPT`. */
export function quantizerFromBytes(
  kind: 'int8' | 'binary',
  dimension: number,
  bytes: Uint8Array,
  source: string,
): Quantizer {
  const values = new Float32Array(bytes.byteLength / 4);
  new Uint8Array(values.buffer).set(bytes);
  const bad = values.findIndex((v) => !Number.isFinite(v));
  const corrupt = (problem: string): never => {
    throw new RagloomError('INDEX_CORRUPT', `${source} is not a valid HNSW index file: ${problem}`, {
      details: { file: source, section: 'quantizer' },
    });
  };
  if (bad >= 0) corrupt(`section "quantizer" holds a non-finite value at ${bad}`);
  if (kind === 'binary') return { kind, means: values };
  const scales = values.subarray(dimension);
  if (scales.some((s) => s < 0)) corrupt('section "quantizer" holds a negative scale');
  return { kind, offsets: values.subarray(0, dimension), scales };
}

/** Terms of an int8 query: see `int8QueryTerms`. */
export interface Int8QueryTerms {
  /** q·offset. */
  readonly offset: number;
  /** 1/‖q‖ (cosine), ‖q‖² (l2) or 0 (dot). */
  readonly factor: number;
  /** 1 / the scale of the int16 weights. */
  readonly inverseScale: number;
}

/**
 * The int8 query terms shared by both code kernels: `weights` ← q ⊙ scale as int16, scaled so
 * that Σ weight · code (codes ≤ 255, over the padded row) cannot overflow int32, and the scalars
 * that turn d = q·x̂ = q·offset + (weights · code) / weightScale into the metric's distance. The
 * integer sum is exact in both kernels, and the float32 steps after it are the same, so the JS
 * and wasm kernels give identical distances.
 */
export function int8QueryTerms(
  quantizer: Int8Quantizer,
  vector: Float32Array,
  weights: Int16Array,
  metric: 'cosine' | 'dot' | 'l2',
  inverseNorm?: number,
): Int8QueryTerms {
  const { offsets, scales } = quantizer;
  const dimension = offsets.length;
  let offset = 0;
  let squared = 0;
  let largest = 0;
  for (let d = 0; d < dimension; d++) {
    const x = vector[d]!;
    offset += x * offsets[d]!;
    squared += x * x;
    const w = Math.abs(x * scales[d]!);
    if (w > largest) largest = w;
  }
  const limit = Math.min(32767, Math.floor((2 ** 31 - 1) / (255 * weights.length)));
  const weightScale = largest > 0 ? limit / largest : 0;
  for (let d = 0; d < dimension; d++) weights[d] = Math.round(vector[d]! * scales[d]! * weightScale);
  let factor = 0;
  if (metric === 'cosine') factor = inverseNorm ?? (squared === 0 ? 0 : 1 / Math.sqrt(squared));
  else if (metric === 'l2') factor = squared;
  return {
    offset: Math.fround(offset),
    factor: Math.fround(factor),
    inverseScale: weightScale > 0 ? Math.fround(1 / weightScale) : 0,
  };
}

/**
 * The metric's distance from the exact integer sum Σ weight · code, in the float32 steps the wasm
 * kernel takes (Math.fround after each), so both kernels agree to the bit.
 */
export function int8Distance(sum: number, terms: Int8QueryTerms, mode: number, slotTerm: number): number {
  const f = Math.fround;
  const d = f(terms.offset + f(f(sum) * terms.inverseScale));
  if (mode === 0) return -d;
  if (mode === 1) return f(1 - f(f(d * terms.factor) * slotTerm));
  return f(f(terms.factor - f(d + d)) + slotTerm);
}

/** x̂ = offset + scale ⊙ code of the row at `at`, into `out`. */
export function dequantize(
  quantizer: Int8Quantizer,
  codes: Uint8Array,
  at: number,
  out: Float32Array,
): Float32Array {
  const { offsets, scales } = quantizer;
  for (let d = 0; d < offsets.length; d++) out[d] = offsets[d]! + scales[d]! * codes[at + d]!;
  return out;
}

/** The per-slot float32 term of the int8 distances: 1/‖x‖ (cosine), ‖x̂‖² (l2), 0 (dot). */
export function int8SlotTerm(
  quantizer: Int8Quantizer,
  codes: Uint8Array,
  at: number,
  metric: 'cosine' | 'dot' | 'l2',
  inverseNorm: number,
  scratch: Float32Array,
): number {
  if (metric === 'cosine') return inverseNorm;
  if (metric === 'dot') return 0;
  const x = dequantize(quantizer, codes, at, scratch);
  let squared = 0;
  for (let d = 0; d < x.length; d++) squared += x[d]! * x[d]!;
  return squared;
}
