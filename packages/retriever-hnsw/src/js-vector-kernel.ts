import type { Metric } from '@ragloom/core';
import { referenceScore, referenceDot as sequentialDot } from './exact-scores.js';
import { grownArray } from './shared-arrays.js';
import type { VectorKernel } from './vector-kernel.js';

const BATCH_LIMIT = 1024;

/**
 * The pure-JS kernel: the fallback where WebAssembly SIMD is unavailable, and the reference the
 * wasm kernel is tested against. Accumulates in float64 with four independent sums (fewer
 * dependent additions per element).
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
  const batchSlots = new Int32Array(BATCH_LIMIT);
  const batchDistances = new Float64Array(BATCH_LIMIT);
  const batchScores = new Float64Array(BATCH_LIMIT);

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

  const l2At = (a: Float32Array, ao: number, b: Float32Array, bo: number): number => {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      const d0 = a[ao + i]! - b[bo + i]!;
      const d1 = a[ao + i + 1]! - b[bo + i + 1]!;
      const d2 = a[ao + i + 2]! - b[bo + i + 2]!;
      const d3 = a[ao + i + 3]! - b[bo + i + 3]!;
      s0 += d0 * d0;
      s1 += d1 * d1;
      s2 += d2 * d2;
      s3 += d3 * d3;
    }
    for (; i < dim; i++) {
      const d = a[ao + i]! - b[bo + i]!;
      s0 += d * d;
    }
    return s0 + s1 + (s2 + s3);
  };

  const referenceDot = (a: Float32Array, ao: number, b: Float32Array, bo: number) =>
    sequentialDot(a, ao, b, bo, dim);

  const distance = (slot: number): number => {
    const off = slot * dim;
    if (metric === 'l2') return l2At(queryData, queryOffset, data, off);
    const d = dotAt(queryData, queryOffset, data, off);
    return metric === 'dot' ? -d : 1 - d * queryInverseNorm * inverseNorms[slot]!;
  };

  const kernel: VectorKernel = {
    name: 'js',
    dimension,
    metric,
    stride: dim,
    get capacity() {
      return capacity;
    },
    batchSlots,
    batchDistances,
    batchScores,
    batchLimit: BATCH_LIMIT,

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
      if (metric === 'l2') return l2At(data, a * dim, data, b * dim);
      const d = dotAt(data, a * dim, data, b * dim);
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
