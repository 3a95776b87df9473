import type { Metric } from '@ragloom/core';
import type { CodeKernel } from './code-kernel.js';
import { type CodeStorage, codeRowLayout, codeRows } from './code-rows.js';
import type { Int8QueryTerms, Quantizer } from './quantizer.js';
import { grownArray } from './shared-arrays.js';
import { BATCH_LIMIT } from './vector-kernel.js';

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
  const { rowBytes } = codeRowLayout(quantizer.kind, dimension);
  let capacity = Math.max(1, initialCapacity);
  // Float32 terms, as the wasm kernel keeps them.
  const storage: CodeStorage = {
    codes: new Uint8Array(capacity * rowBytes),
    codesStart: 0,
    terms: new Float32Array(capacity),
    termsStart: 0,
  };
  const rows = codeRows(quantizer, dimension, metric, storage);
  // The codes as 32-bit words, for Hamming distances a word at a time.
  let codeWords = new Int32Array(storage.codes.buffer);
  const batch = {
    slots: new Int32Array(BATCH_LIMIT),
    distances: new Float32Array(BATCH_LIMIT),
    limit: BATCH_LIMIT,
  };
  const { slots: batchSlots, distances: batchDistances } = batch;
  // int8 query: q ⊙ scale (float32), q·offset and the metric factor; binary: the query's bits.
  const weights = new Int16Array(rowBytes);
  const pairWeights = new Int16Array(rowBytes);
  const queryBits = new Uint8Array(rowBytes);
  const queryWords = new Int32Array(rowBytes / 4);
  let queryTerms: Int8QueryTerms = { offset: 0, factor: 0, inverseScale: 0 };

  const binary = quantizer.kind === 'binary';

  /** Σ weight · code, exact (integers far below 2^53). */
  const u8Dot = (w: Int16Array, slot: number) => {
    const { codes } = storage;
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
  const wordsOf = (slot: number) => codeWords.subarray((slot * rowBytes) >> 2, ((slot + 1) * rowBytes) >> 2);

  const distance = (slot: number): number => {
    if (binary) return hammingWords(queryWords, slot);
    return rows.int8Distance(u8Dot(weights, slot), queryTerms, slot);
  };
  const pairDistance = (pair: Int8QueryTerms, b: number) => rows.int8Distance(u8Dot(pairWeights, b), pair, b);

  const kernel: CodeKernel = {
    name: 'js',
    quantizer,
    batch,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      let next = capacity;
      while (next < slots) next *= 2;
      storage.codes = grownArray(storage.codes, next * rowBytes, false);
      storage.terms = grownArray(storage.terms, next, false);
      codeWords = new Int32Array(storage.codes.buffer);
      capacity = next;
    },

    setVector: rows.setVector,
    move: rows.move,

    setQuery(vector) {
      if (binary) {
        rows.encodeQueryBits(vector, queryBits, 0);
        queryWords.set(new Int32Array(queryBits.buffer));
        return;
      }
      queryTerms = rows.queryTerms(vector, weights);
    },

    setQueryFromSlot(slot) {
      if (binary) {
        queryWords.set(wordsOf(slot));
        return;
      }
      queryTerms = rows.slotQueryTerms(slot, weights);
    },

    distance,

    distances(count) {
      for (let i = 0; i < count; i++) batchDistances[i] = distance(batchSlots[i]!);
    },

    pairDistances(a, count) {
      if (binary) {
        const words = wordsOf(a);
        for (let i = 0; i < count; i++) batchDistances[i] = hammingWords(words, batchSlots[i]!);
        return;
      }
      const pair = rows.slotQueryTerms(a, pairWeights);
      for (let i = 0; i < count; i++) batchDistances[i] = pairDistance(pair, batchSlots[i]!);
    },

    pairDistance(a, b) {
      if (binary) return hammingWords(wordsOf(a), b);
      return pairDistance(rows.slotQueryTerms(a, pairWeights), b);
    },

    exportCodes: rows.exportCodes,

    importCodes(bytes, from, count, inverseNormOf) {
      kernel.ensureCapacity(from + count);
      rows.importCodes(bytes, from, count, inverseNormOf);
    },
  };
  return kernel;
}
