import type { Metric } from '@ragloom/core';
import { referenceScore, referenceDot as sequentialDot } from './exact-scores.js';
import { grownArray } from './shared-arrays.js';
import { BATCH_LIMIT, type VectorKernel } from './vector-kernel.js';

/**
 * The pure-JS kernel: the fallback where WebAssembly SIMD is unavailable, and the reference the
 * wasm kernel is tested against. Walk distances come from one dot-product loop, in float64 with
 * four independent sums (fewer dependent additions per element); exact scores from exact-scores.
 */
export function createJsVectorKernel(
  dimension: number,
  metric: Metric,
  initialCapacity = 1024,
): VectorKernel {
  const dim = dimension;
  let capacity = Math.max(1, initialCapacity);
  let data = new Float32Array(capacity * dim);
  // ‖v‖ for exact cosine scores (core divides by the product of norms), 1/‖v‖ for fast distances.
  let norms = new Float64Array(capacity);
  let inverseNorms = new Float64Array(capacity);
  const query = new Float32Array(dim);
  let queryOffset = 0;
  let queryData = query;
  let queryNorm = 0;
  let queryInverseNorm = 0;
  const batch = {
    slots: new Int32Array(BATCH_LIMIT),
    distances: new Float64Array(BATCH_LIMIT),
    scores: new Float64Array(BATCH_LIMIT),
    limit: BATCH_LIMIT,
  };
  const { slots: batchSlots, distances: batchDistances, scores: batchScores } = batch;

  const dotAt = (a: Float32Array, ao: number, b: Float32Array, bo: number): number => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      s0 += a[ao + i]! * b[bo + i]!;
      s1 += a[ao + i + 1]! * b[bo + i + 1]!;
      s2 += a[ao + i + 2]! * b[bo + i + 2]!;
      s3 += a[ao + i + 3]! * b[bo + i + 3]!;
    }
    for (; i < dim; i++) s0 += a[ao + i]! * b[bo + i]!;
    return s0 + s1 + (s2 + s3);
  };

  /**
   * Squared L2 from the dot product and the two norms, ‖a‖² + ‖b‖² − 2·a·b, as FAISS's BLAS path
   * computes it: one unrolled loop serves every metric. In float64 the cancellation costs about
   * 1e-16 · (‖a‖² + ‖b‖²): it can only reorder vectors that are near-duplicates of each other
   * (within ~1e-8 of the norm), which a walk does not need told apart; it can also make the
   * distance of a vector to itself a hair below zero, hence the clamp. User scores never use it.
   */
  const squaredL2 = (dot: number, normA: number, normB: number) =>
    Math.max(0, normA * normA + normB * normB - 2 * dot);

  const referenceDot = (a: Float32Array, ao: number, b: Float32Array, bo: number) =>
    sequentialDot(a, ao, b, bo, dim);

  const distance = (slot: number): number => {
    const d = dotAt(queryData, queryOffset, data, slot * dim);
    if (metric === 'l2') return squaredL2(d, queryNorm, norms[slot]!);
    return metric === 'dot' ? -d : 1 - d * queryInverseNorm * inverseNorms[slot]!;
  };

  const kernel: VectorKernel = {
    name: 'js',
    dimension,
    metric,
    stride: dim,
    batch,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      let next = capacity;
      while (next < slots) next *= 2;
      data = grownArray(data, next * dim, false);
      norms = grownArray(norms, next, false);
      inverseNorms = grownArray(inverseNorms, next, false);
      capacity = next;
      if (queryData !== query) queryData = data;
    },

    set(slot, vector) {
      data.set(vector, slot * dim);
      const n = Math.sqrt(referenceDot(data, slot * dim, data, slot * dim));
      norms[slot] = n;
      inverseNorms[slot] = n === 0 ? 0 : 1 / n;
    },

    get(slot) {
      return data.slice(slot * dim, slot * dim + dim);
    },

    move(from, to) {
      data.copyWithin(to * dim, from * dim, from * dim + dim);
      norms[to] = norms[from]!;
      inverseNorms[to] = inverseNorms[from]!;
    },

    setQuery(vector) {
      query.set(vector);
      queryData = query;
      queryOffset = 0;
      const n = Math.sqrt(referenceDot(query, 0, query, 0));
      queryNorm = n;
      queryInverseNorm = n === 0 ? 0 : 1 / n;
    },

    setQueryFromSlot(slot) {
      queryData = data;
      queryOffset = slot * dim;
      queryNorm = norms[slot]!;
      queryInverseNorm = inverseNorms[slot]!;
    },

    distance,

    distances(count) {
      for (let i = 0; i < count; i++) batchDistances[i] = distance(batchSlots[i]!);
    },

    pairDistances(a, count) {
      for (let i = 0; i < count; i++) batchDistances[i] = kernel.pairDistance(a, batchSlots[i]!);
    },

    pairDistance(a, b) {
      const d = dotAt(data, a * dim, data, b * dim);
      if (metric === 'l2') return squaredL2(d, norms[a]!, norms[b]!);
      return metric === 'dot' ? -d : 1 - d * inverseNorms[a]! * inverseNorms[b]!;
    },

    exactScore(slot) {
      return referenceScore(metric, queryData, queryOffset, queryNorm, data, slot * dim, norms[slot]!, dim);
    },

    exactScores(count) {
      for (let i = 0; i < count; i++) batchScores[i] = kernel.exactScore(batchSlots[i]!);
    },

    inverseNorm(slot) {
      return inverseNorms[slot]!;
    },

    norm(slot) {
      return norms[slot]!;
    },

    exportVectors(slots) {
      return [new Uint8Array(data.buffer, data.byteOffset, slots * dim * 4)];
    },

    vectorStorage(slots) {
      kernel.ensureCapacity(slots);
      return new Uint8Array(data.buffer, data.byteOffset, slots * dim * 4);
    },

    importVectors(bytes, from, count) {
      kernel.ensureCapacity(from + count);
      const target = new Uint8Array(data.buffer, data.byteOffset + from * dim * 4, count * dim * 4);
      if (bytes.buffer !== data.buffer || bytes.byteOffset !== target.byteOffset) {
        target.set(bytes.subarray(0, count * dim * 4));
      }
      return kernel.computeNorms(from, from + count);
    },

    computeNorms(from, to) {
      let firstBad = -1;
      for (let s = from; s < to; s++) {
        // A NaN or infinite component makes the squared norm NaN or infinite: one check per vector.
        const squared = referenceDot(data, s * dim, data, s * dim);
        if (!Number.isFinite(squared) && firstBad < 0) firstBad = s;
        const n = Math.sqrt(squared);
        norms[s] = n;
        inverseNorms[s] = n === 0 ? 0 : 1 / n;
      }
      return firstBad;
    },

    sharedHandle: () => null,
  };
  return kernel;
}
