import type { Metadata, MetadataPredicate, Metric } from '@ragloom/core';
import type { HnswGraph } from './hnsw-graph.js';
import type { FloatVectors, WalkKernel } from './vector-kernel.js';

/** Candidate lists longer than this are scanned in slot order (see scanDistances). */
const IN_ORDER_FROM = 1024;

/** Buffers exact search reuses between queries (grown with the index). */
export interface ExactSearchScratch {
  slots: Int32Array;
  distances: Float64Array;
  /** Marks of slots already taken from a candidate list (lists may repeat a slot). */
  marks: Uint32Array;
  generation: number;
}

export function createExactSearchScratch(): ExactSearchScratch {
  return {
    slots: new Int32Array(0),
    distances: new Float64Array(0),
    marks: new Uint32Array(0),
    generation: 0,
  };
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
 * First pass of a scan: `kernel`'s distances from its current query to every live slot of
 * `candidates` (all slots when null; a list may repeat slots and name dead ones) that
 * `predicate` accepts, into `scratch.slots`/`scratch.distances`. Returns how many, and the
 * largest ‖v‖ among them (from `norms`, when given) for `inclusionLimit`.
 */
export function scanDistances(
  graph: HnswGraph,
  kernel: WalkKernel,
  candidates: Int32Array | null,
  metadata: readonly Metadata[],
  predicate: MetadataPredicate | null,
  scratch: ExactSearchScratch,
  norms: FloatVectors | null,
): { count: number; maxNorm: number } {
  const size = graph.size;
  const capacity = graph.capacity;
  if (scratch.slots.length < size || scratch.marks.length < capacity) {
    scratch.slots = new Int32Array(capacity);
    scratch.distances = new Float64Array(capacity);
    scratch.marks = new Uint32Array(capacity);
    scratch.generation = 0;
  }
  const { slots, distances, marks } = scratch;
  let generation = ++scratch.generation;
  if (generation === 0xffffffff) {
    marks.fill(0);
    generation = scratch.generation = 1;
  }
  const { slots: batchSlots, distances: batchDistances, limit } = kernel.batch;
  const state = graph.stateView();
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
  // A long candidate list (in value order: slots at random) is marked, then read in slot order,
  // so the vectors stream through memory instead of being fetched one cache miss at a time.
  const inOrder = candidates !== null && candidates.length > IN_ORDER_FROM;
  if (inOrder) for (let i = 0; i < candidates.length; i++) marks[candidates[i]!] = generation;
  const total = candidates === null || inOrder ? size : candidates.length;
  for (let i = 0; i < total; i++) {
    let slot: number;
    if (candidates === null) slot = i;
    else if (inOrder) {
      if (marks[i] !== generation) continue;
      slot = i;
    } else {
      slot = candidates[i]!;
      if (marks[slot] === generation) continue;
      marks[slot] = generation;
    }
    if (state[slot] !== 0) continue;
    if (predicate !== null && !predicate(metadata[slot])) continue;
    batchSlots[pending++] = slot;
    if (norms !== null) {
      const inv = norms.inverseNorm(slot);
      if (inv > 0 && inv < minInverseNorm) minInverseNorm = inv;
    }
    if (pending === limit) flush();
  }
  if (pending > 0) flush();
  return { count: n, maxNorm: Number.isFinite(minInverseNorm) ? 1 / minInverseNorm : 0 };
}

/**
 * Keeps, of the `n` scanned slots, those within `inclusionLimit` of the k-th distance (float
 * kernels: rescoring them exactly and keeping the best k gives exactly what a float64
 * brute-force scan gives, ties included). Returns how many are left in `scratch.slots`.
 */
export function keepWithinErrorBound(
  scratch: ExactSearchScratch,
  n: number,
  k: number,
  metric: Metric,
  dimension: number,
  queryNorm: number,
  maxNorm: number,
): number {
  if (n <= k) return n;
  const kth = kthSmallest(scratch.distances, n, k);
  const limitDistance = inclusionLimit(metric, dimension, kth, queryNorm, maxNorm);
  if (!Number.isFinite(limitDistance)) return n;
  return keepAtMost(scratch, n, limitDistance);
}

/** Keeps the `r` nearest of the `n` scanned slots (and any tied with the r-th): codes, to rescore. */
export function keepNearest(scratch: ExactSearchScratch, n: number, r: number): number {
  if (n <= r) return n;
  return keepAtMost(scratch, n, kthSmallest(scratch.distances, n, r));
}

function keepAtMost(scratch: ExactSearchScratch, n: number, limitDistance: number): number {
  const { slots, distances } = scratch;
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
