import type { Metric } from '@ragloom/core';

/**
 * Vector storage plus the distance functions the graph walks with. Two implementations share this
 * shape: a WebAssembly SIMD kernel (vectors in wasm memory) and a pure-JS one (vectors in a plain
 * Float32Array). Both keep every vector in one contiguous array, slot-major, grown by doubling.
 *
 * Distances are "smaller is closer": squared L2, `-dot`, or `1 - cosine`. Scores handed to users
 * are computed separately by `exactScore`, in float64 exactly as @ragloom/core's reference
 * retriever does, so every path (graph, exact, either kernel) reports identical scores.
 */
export interface VectorKernel {
  readonly name: 'wasm-simd' | 'js';
  readonly dimension: number;
  readonly metric: Metric;
  /** Floats from one stored vector to the next (≥ dimension: the wasm kernel pads for SIMD). */
  readonly stride: number;
  /** Slots the storage holds before it must grow. */
  readonly capacity: number;
  /**
   * Scratch for batched distances: write slots into `batchSlots`, call `distances(count)`, read
   * `batchDistances`. Both hold at least `batchLimit` entries. The views stay valid until the next
   * `ensureCapacity`.
   */
  readonly batchSlots: Int32Array;
  readonly batchDistances: Float32Array | Float64Array;
  readonly batchLimit: number;

  /** Grows (by doubling) so that `slots` vectors fit; existing vectors are kept. */
  ensureCapacity(slots: number): void;
  /** Stores a copy of `vector` at `slot` and its inverse norm (for cosine). */
  set(slot: number, vector: Float32Array): void;
  /** A fresh copy of the vector stored at `slot`. */
  get(slot: number): Float32Array;
  /** Moves the vector at `from` to `to` (compaction). */
  move(from: number, to: number): void;
  /** Loads the query the following `distance`/`distances`/`exactScore` calls compare with. */
  setQuery(vector: Float32Array): void;
  /** Uses the stored vector at `slot` as the query (index construction). */
  setQueryFromSlot(slot: number): void;
  /** Distance from the query to the vector at `slot`. */
  distance(slot: number): number;
  /** Distances from the query to `batchSlots[0..count)`, into `batchDistances`. */
  distances(count: number): void;
  /** Distance between two stored vectors. */
  pairDistance(a: number, b: number): number;
  /** The user-facing score of `slot` for the query, bit-identical to core's `similarity()`. */
  exactScore(slot: number): number;
  /** `exactScore` of `batchSlots[0..count)`, into `batchScores` (the wasm kernel runs four at once). */
  exactScores(count: number): void;
  readonly batchScores: Float64Array;
  /** 1 / ‖v‖ of the vector at `slot` (0 for a zero vector). */
  inverseNorm(slot: number): number;
  /** Bytes of the stored vectors of slots [0, slots), unpadded, for writing to disk. */
  exportVectors(slots: number): Uint8Array[];
  /**
   * A writable view of the storage of slots [0, slots) when rows are unpadded (so a file can be
   * read straight into it), else null. Call `importVectors` with it afterwards.
   */
  vectorStorage(slots: number): Uint8Array | null;
  /**
   * Replaces the contents with `slots` unpadded float32 vectors from `bytes` (no copy when `bytes`
   * is the `vectorStorage` view). Returns the first
   * slot whose vector is not finite (NaN, ±Infinity), or -1 when all are.
   */
  importVectors(bytes: Uint8Array, slots: number): number;
  /**
   * Recomputes the norms of slots [from, to) after their vectors were written into
   * `vectorStorage`; returns the first slot whose vector is not finite, or -1.
   */
  computeNorms(from: number, to: number): number;
}

export type KernelPreference = 'auto' | 'wasm' | 'js';
