import type { Metric } from '@ragloom/core';
import { createJsCodeKernel } from './js-code-kernel.js';
import type { Quantizer } from './quantizer.js';
import type { BuildKernel, KernelPreference } from './vector-kernel.js';
import { createWasmCodeKernel } from './wasm-code-kernel.js';

/**
 * Quantized codes of every slot and the distances a graph walk measures on them (int8: float
 * query against 8-bit codes, as q·x̂ with x̂ = offset + scale ⊙ code; binary: Hamming distance of
 * bit codes). Approximate by design: the index rescores the best candidates with the float vectors.
 * A build kernel too, for indexes whose float vectors stay in the file (links then come from codes).
 */
export interface CodeKernel extends BuildKernel {
  readonly name: 'wasm-simd' | 'js';
  readonly quantizer: Quantizer;
  /** Stores the codes of `vector` at `slot`; `inverseNorm` is 1/‖vector‖ (cosine distances use it). */
  setVector(slot: number, vector: Float32Array, inverseNorm: number): void;
  /** Unpadded code rows of slots [0, slots), for writing to disk. */
  exportCodes(slots: number): Uint8Array[];
  /**
   * Stores the unpadded code rows in `bytes` at slots [from, from + count); `inverseNormOf` gives
   * 1/‖x‖ of each slot's float vector (cosine distances use it).
   */
  importCodes(bytes: Uint8Array, from: number, count: number, inverseNormOf: (slot: number) => number): void;
}

/** The code kernel for a kernel preference (the wasm one where WebAssembly SIMD runs). */
export function createCodeKernel(
  preference: KernelPreference,
  quantizer: Quantizer,
  dimension: number,
  metric: Metric,
  capacity: number,
): CodeKernel {
  if (preference !== 'js') {
    const kernel = createWasmCodeKernel(quantizer, dimension, metric, capacity);
    if (kernel !== null) return kernel;
  }
  return createJsCodeKernel(quantizer, dimension, metric, capacity);
}
