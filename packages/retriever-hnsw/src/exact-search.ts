import type { Metadata, MetadataPredicate, Metric } from '@ragloom/core';
import type { HnswGraph } from './hnsw-graph.js';
import type { VectorKernel } from './vector-kernel.js';

/** Buffers exact search reuses between queries (grown with the index). */
export interface ExactSearchScratch {
  slots: Int32Array;
  distances: Float64Array;
}

export function createExactSearchScratch(): ExactSearchScratch {
  return { slots: new Int32Array(0), distances: new Float64Array(0) };
}

/**
 * How far past the k-th approximate distance a record can be and still be in the exact top k:
 * twice the worst-case error of the kernel's float32 sums (Higham's bound for `dimension`
 * products, with a factor 2 to spare), in the distance units of the metric. Approximate distances
 * at or below the limit are rescored exactly; the ones above cannot be among the best k.
 */
export function inclusionLimit(
  metric: Metric,
  dimension: number,
  kth: number,
  queryNorm: number,
  maxNorm: number,
): number {
  const relativeError = (dimension + 16) * 2 ** -23;
  if (metric === 'cosine') return kth + 2 * relativeError + 1e-12;
  if (metric === 'dot') return kth + 2 * relativeError * queryNorm * maxNorm + 1e-300;
  return kth * (1 + 4 * relativeError) + 1e-300;
}

/**
 * Exact search, first pass: approximate (SIMD) distances from the kernel's current query to every
 * live record `predicate` accepts, then keeps those within `inclusionLimit` of the k-th. Returns
 * how many slots are left in `scratch.slots`; scoring them exactly and keeping the best k gives
 * exactly what a float64 brute-force scan gives, ties included.
 */
export function exactSearchCandidates(
  graph: HnswGraph,
  kernel: VectorKernel,
  metadata: readonly Metadata[],
  predicate: MetadataPredicate | null,
  k: number,
  queryNorm: number,
  scratch: ExactSearchScratch,
): number {
  const size = graph.size;
  if (scratch.slots.length < size) {
    scratch.slots = new Int32Array(graph.capacity);
    scratch.distances = new Float64Array(graph.capacity);
  }
  const { slots, distances } = scratch;
  const batchSlots = kernel.batchSlots;
  const batchDistances = kernel.batchDistances;
  const limit = kernel.batchLimit;
  let n = 0;
  let pending = 0;
  let minInverseNorm = Number.POSITIVE_INFINITY;
  const flush = () => {
    kernel.distances(pending);
    for (let i = 0; i < pending; i++) {
      slots[n] = batchSlots[i]!;
      distances[n] = batchDistances[i]!;
      n++;
    }
    pending = 0;
  };
  const deleted = graph.deleted;
  for (let slot = 0; slot < size; slot++) {
    if (deleted[slot] !== 0) continue;
    if (predicate !== null && !predicate(metadata[slot])) continue;
    batchSlots[pending++] = slot;
    const inv = kernel.inverseNorm(slot);
    if (inv > 0 && inv < minInverseNorm) minInverseNorm = inv;
    if (pending === limit) flush();
  }
  if (pending > 0) flush();
  if (n <= k) return n;
  const kth = kthSmallest(distances, n, k);
  const maxNorm = Number.isFinite(minInverseNorm) ? 1 / minInverseNorm : 0;
  const limitDistance = inclusionLimit(kernel.metric, kernel.dimension, kth, queryNorm, maxNorm);
  if (!Number.isFinite(limitDistance)) return n;
  let kept = 0;
  for (let i = 0; i < n; i++) {
    if (distances[i]! <= limitDistance) slots[kept++] = slots[i]!;
  }
  return kept;
}

/** The k-th smallest of values[0..n) (1-based k ≤ n), with a bounded max-heap: O(n log k). */
export function kthSmallest(values: Float64Array, n: number, k: number): number {
  const heap = new Float64Array(k);
  let size = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (size < k) {
      let j = size++;
      while (j > 0) {
        const parent = (j - 1) >> 1;
        if (heap[parent]! >= v) break;
        heap[j] = heap[parent]!;
        j = parent;
      }
      heap[j] = v;
    } else if (v < heap[0]!) {
      let j = 0;
      for (;;) {
        let child = 2 * j + 1;
        if (child >= k) break;
        if (child + 1 < k && heap[child + 1]! > heap[child]!) child++;
        if (heap[child]! <= v) break;
        heap[j] = heap[child]!;
        j = child;
      }
      heap[j] = v;
    }
  }
  return heap[0]!;
}
