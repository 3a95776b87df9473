import type { Metric } from '@ragloom/core';
import { type CodeKernel, INT8_MODE } from './code-kernel.js';
import { codeRowLayout, storedRowTerms, storePaddedRows, unpaddedRows } from './code-rows.js';
import {
  encodeVector,
  type Int8QueryTerms,
  int8Distance,
  int8QueryTerms,
  int8SlotTerm,
  type Quantizer,
} from './quantizer.js';
import { grownArray } from './shared-arrays.js';

const BATCH_LIMIT = 1024;

/** Set bits of a 32-bit word (SWAR popcount). */
function popcount32(x: number): number {
  let v = x - ((x >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/**
 * The pure-JS code kernel: the same codes, rows and formulas as the wasm one (float32 query
 * weights and per-slot terms), summed in float64 — equal to it within float32 rounding for int8,
 * and exactly equal for binary (integer Hamming distances).
 */
export function createJsCodeKernel(
  quantizer: Quantizer,
  dimension: number,
  metric: Metric,
  initialCapacity = 1024,
): CodeKernel {
  const kind = quantizer.kind;
  const layout = codeRowLayout(kind, dimension);
  const { rowBytes } = layout;
  let capacity = Math.max(1, initialCapacity);
  let codes = new Uint8Array(capacity * rowBytes);
  // int8: 1/‖x‖ (cosine) or ‖x̂‖² (l2) per slot, float32 as the wasm kernel keeps them.
  let aux = new Float32Array(capacity);
  const mode = INT8_MODE[metric];
  const batchSlots = new Int32Array(BATCH_LIMIT);
  const batchDistances = new Float32Array(BATCH_LIMIT);
  // int8 query: q ⊙ scale (float32), q·offset and the metric factor; binary: the query's bits.
  const weights = new Int16Array(rowBytes);
  const pairWeights = new Int16Array(rowBytes);
  const queryBits = new Uint8Array(rowBytes);
  const queryWords = new Int32Array(rowBytes / 4);
  let queryTerms: Int8QueryTerms = { offset: 0, factor: 0, inverseScale: 0 };
  const dequantized = new Float32Array(dimension);

  const int8 = quantizer.kind === 'int8' ? quantizer : null;
  const binary = quantizer.kind === 'binary' ? quantizer : null;

  /** The terms of the stored row of `slot` as a query, its weights into `target`. */
  const slotTerms = (slot: number, target: Int16Array) =>
    storedRowTerms(int8!, codes, slot * rowBytes, metric, aux[slot]!, target, dequantized);
  const slotTerm = (slot: number, inverseNorm: number) =>
    int8SlotTerm(int8!, codes, slot * rowBytes, metric, inverseNorm, dequantized);

  /** Σ weight · code, exact (integers far below 2^53). */
  const u8Dot = (w: Int16Array, slot: number) => {
    const base = slot * rowBytes;
    let sum = 0;
    for (let d = 0; d < dimension; d++) sum += w[d]! * codes[base + d]!;
    return sum;
  };

  const hammingWords = (words: Int32Array, slot: number) => {
    const base = (slot * rowBytes) >> 2;
    const view = codeWords;
    let h = 0;
    for (let i = 0; i < words.length; i++) h += popcount32(words[i]! ^ view[base + i]!);
    return h;
  };
  let codeWords = new Int32Array(codes.buffer);

  const distance = (slot: number): number => {
    if (binary) return hammingWords(queryWords, slot);
    return int8Distance(u8Dot(weights, slot), queryTerms, mode, aux[slot]!);
  };

  const kernel: CodeKernel = {
    name: 'js',
    quantizer,
    get capacity() {
      return capacity;
    },
    batchSlots,
    batchDistances,
    batchLimit: BATCH_LIMIT,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      let next = capacity;
      while (next < slots) next *= 2;
      codes = grownArray(codes, next * rowBytes, false);
      codeWords = new Int32Array(codes.buffer);
      aux = grownArray(aux, next, false);
      capacity = next;
    },

    setVector(slot, vector, inverseNorm) {
      encodeVector(quantizer, vector, codes, slot * rowBytes);
      if (int8) aux[slot] = slotTerm(slot, inverseNorm);
    },

    move(from, to) {
      codes.copyWithin(to * rowBytes, from * rowBytes, (from + 1) * rowBytes);
      aux[to] = aux[from]!;
    },

    setQuery(vector) {
      if (binary) {
        encodeVector(quantizer, vector, queryBits, 0);
        queryWords.set(new Int32Array(queryBits.buffer));
        return;
      }
      queryTerms = int8QueryTerms(int8!, vector, weights, metric);
    },

    setQueryFromSlot(slot) {
      if (binary) {
        queryWords.set(codeWords.subarray((slot * rowBytes) >> 2, ((slot + 1) * rowBytes) >> 2));
        return;
      }
      queryTerms = slotTerms(slot, weights);
    },

    distance,

    distances(count) {
      for (let i = 0; i < count; i++) batchDistances[i] = distance(batchSlots[i]!);
    },

    pairDistances(a, count) {
      if (binary) {
        const words = codeWords.subarray((a * rowBytes) >> 2, ((a + 1) * rowBytes) >> 2);
        for (let i = 0; i < count; i++) batchDistances[i] = hammingWords(words, batchSlots[i]!);
        return;
      }
      const pair = slotTerms(a, pairWeights);
      for (let i = 0; i < count; i++) {
        const b = batchSlots[i]!;
        batchDistances[i] = int8Distance(u8Dot(pairWeights, b), pair, mode, aux[b]!);
      }
    },

    pairDistance(a, b) {
      if (binary) return hammingWords(codeWords.subarray((a * rowBytes) >> 2, ((a + 1) * rowBytes) >> 2), b);
      const pair = slotTerms(a, pairWeights);
      return int8Distance(u8Dot(pairWeights, b), pair, mode, aux[b]!);
    },

    exportCodes(slots) {
      return unpaddedRows(codes, 0, layout, slots);
    },

    importCodes(bytes, from, count, inverseNormOf) {
      kernel.ensureCapacity(from + count);
      storePaddedRows(codes, 0, layout, bytes, from, count);
      if (!int8) return;
      for (let s = from; s < from + count; s++)
        aux[s] = slotTerm(s, metric === 'cosine' ? inverseNormOf(s) : 0);
    },
  };
  return kernel;
}
