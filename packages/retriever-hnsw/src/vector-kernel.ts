import type { Metric } from '@ragloom/core';

/** Entries of every batch buffer: a node's neighbour list (2·M + 1) or a chunk of a scan. */
export const BATCH_LIMIT = 1024;

/**
 * Scratch for batched distances: write slots into `slots`, call the kernel's `distances(count)` with
 * count ≤ `limit`, read `distances`. A wasm kernel's buffers live in its memory, which growth may move:
 * it then replaces the fields of this same object, so read them afresh after an `ensureCapacity`.
 */
export interface DistanceBatch {
  readonly slots: Int32Array;
  readonly distances: Float32Array | Float64Array;
  readonly limit: number;
}

/** Scratch for batched exact scores: as `DistanceBatch`, with `exactScores(count)` writing `scores`. */
export interface ScoreBatch {
  readonly slots: Int32Array;
  readonly scores: Float64Array;
  readonly limit: number;
}

/**
 * What a graph walk measures with: a query, and batched distances from it to stored slots.
 * Distances are "smaller is closer": squared L2, `-dot`, or `1 - cosine` for float vectors;
 * approximations of those for quantized codes.
 */
export interface WalkKernel {
  readonly batch: DistanceBatch;
  /** Loads the query the following `distance`/`distances` calls compare with. */
  setQuery(vector: Float32Array): void;
  /** Distance from the query to the vector at `slot`. */
  distance(slot: number): number;
  /** Distances from the query to `batch.slots[0..count)`, into `batch.distances`. */
  distances(count: number): void;
}

/** What building and repairing the graph measures with: a walk kernel that also compares stored slots. */
export interface BuildKernel extends WalkKernel {
  /** Grows (by doubling) so that `slots` entries fit; existing ones are kept. */
  ensureCapacity(slots: number): void;
  /** Moves the entry at `from` to `to` (compaction). */
  move(from: number, to: number): void;
  /** Uses the stored entry at `slot` as the query (index construction). */
  setQueryFromSlot(slot: number): void;
  /** Distance between two stored entries. */
  pairDistance(a: number, b: number): number;
  /** Distances from stored entry `a` to `batch.slots[0..count)`, into `batch.distances` (the query is kept). */
  pairDistances(a: number, count: number): void;
}

/**
 * The float vectors of an index as exact scores need them: the user-facing score of each slot,
 * bit-identical to core's `similarity()`. Held in memory by a kernel, or read from the index file.
 */
export interface FloatVectors {
  readonly batch: ScoreBatch;
  /** Loads the query `exactScores` compares with. */
  setQuery(vector: Float32Array): void;
  /** `exactScore` of `batch.slots[0..count)`, into `batch.scores`. */
  exactScores(count: number): void;
  /** A fresh copy of the vector stored at `slot`. */
  get(slot: number): Float32Array;
  /** 1 / ‖v‖ of the vector at `slot` (0 for a zero vector). */
  inverseNorm(slot: number): number;
  /** ‖v‖ of the vector at `slot`, exactly as exact scores divide by it. */
  norm(slot: number): number;
}

/**
 * Float vector storage plus the distance functions the graph walks with. Two implementations
 * share this shape: a WebAssembly SIMD kernel (vectors in wasm memory) and a pure-JS one (vectors
 * in a plain Float32Array). Both keep every vector in one contiguous array, slot-major, grown by
 * doubling.
 *
 * Scores handed to users are computed separately by `exactScore`, in float64 exactly as
 * @ragloom/core's reference retriever does, so every path (graph, exact, either kernel) reports
 * identical scores.
 */
export interface VectorKernel extends BuildKernel, FloatVectors {
  readonly name: 'wasm-simd' | 'js';
  readonly dimension: number;
  readonly metric: Metric;
  /** Floats from one stored vector to the next (≥ dimension: the wasm kernel pads for SIMD). */
  readonly stride: number;
  /** Distances and exact scores share the batch's slots. */
  readonly batch: DistanceBatch & ScoreBatch;
  /** Stores a copy of `vector` at `slot` and its inverse norm (for cosine). */
  set(slot: number, vector: Float32Array): void;
  /** The user-facing score of `slot` for the query, bit-identical to core's `similarity()`. */
  exactScore(slot: number): number;
  /** Bytes of the stored vectors of slots [0, slots), unpadded, for writing to disk. */
  exportVectors(slots: number): Uint8Array[];
  /**
   * A writable view of the storage of slots [0, slots) when rows are unpadded (so a file can be
   * read straight into it), else null. Call `computeNorms` after filling it.
   */
  vectorStorage(slots: number): Uint8Array | null;
  /**
   * Stores `count` unpadded float32 vectors from `bytes` at slots [from, from + count) (no copy
   * when `bytes` is the `vectorStorage` view) and computes their norms. Returns the first slot
   * whose vector is not finite (NaN, ±Infinity), or -1 when all are.
   */
  importVectors(bytes: Uint8Array, from: number, count: number): number;
  /**
   * Recomputes the norms of slots [from, to) after their vectors were written into
   * `vectorStorage`; returns the first slot whose vector is not finite, or -1.
   */
  computeNorms(from: number, to: number): number;
  /** What builder threads need to attach to the same vectors, or null when they cannot (not shared). */
  sharedHandle(): SharedKernelHandle | null;
}

/** The shared memory of a wasm kernel, as posted to builder threads. */
export interface SharedKernelHandle {
  readonly memory: unknown;
  readonly dimension: number;
  readonly metric: Metric;
  readonly capacity: number;
  readonly inverseNormsPtr: number;
  readonly norms: Float64Array;
  readonly inverseNorms: Float64Array;
}

export type KernelPreference = 'auto' | 'wasm' | 'js';
