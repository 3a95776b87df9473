import type { Metric } from '@ragloom/core';
import { referenceDot, referenceScore } from './exact-scores.js';
import { grownArray } from './shared-arrays.js';
import { BATCH_LIMIT, type FloatVectors } from './vector-kernel.js';

/** Rows of float32 vectors in a file, read synchronously (the OS page cache keeps hot rows). */
export interface RowSource {
  /** The file the rows come from (a save that replaces it hands over a new source). */
  readonly path: string;
  /** Reads row `row` (dimension floats) into `target`. */
  readRow(row: number, target: Float32Array): void;
  /** Reads rows [from, to) into `target` (one read, for saving). */
  readRows(from: number, to: number, target: Float32Array): void;
  close(): Promise<void>;
}

/**
 * The float vectors of a quantized index kept in its file instead of in memory: exact scores read
 * each candidate's row (`pread`), so memory holds only codes, links, records and the norms.
 * Slots added since the file was written keep their rows in memory until the next save;
 * compaction remaps slots to rows. Scores are bit-identical to core's `similarity()`, as from
 * the kernels.
 */
export class FileFloatVectors implements FloatVectors {
  readonly batch = {
    slots: new Int32Array(BATCH_LIMIT),
    scores: new Float64Array(BATCH_LIMIT),
    limit: BATCH_LIMIT,
  };
  private rowOf: Int32Array;
  private norms: Float64Array;
  private inverseNorms: Float64Array;
  /** Rows of slots added since the file was written. */
  private readonly added = new Map<number, Float32Array>();
  private readonly query: Float32Array;
  private queryNorm = 0;
  private readonly row: Float32Array;

  constructor(
    private source: RowSource,
    readonly dimension: number,
    readonly metric: Metric,
    /** ‖v‖ of each slot's vector (computed while the loader streamed the rows), rows 0..n-1 = slots. */
    norms: Float64Array,
  ) {
    const n = norms.length;
    this.rowOf = Int32Array.from({ length: Math.max(1, n) }, (_, i) => i);
    this.norms = norms.length > 0 ? norms : new Float64Array(1);
    this.inverseNorms = this.norms.map((x) => (x === 0 ? 0 : 1 / x));
    this.query = new Float32Array(dimension);
    this.row = new Float32Array(dimension);
  }

  get path(): string {
    return this.source.path;
  }

  /** Rows held in memory (slots added since the file was written). */
  get rowsInMemory(): number {
    return this.added.size;
  }

  ensureCapacity(slots: number): void {
    if (slots <= this.rowOf.length) return;
    let next = this.rowOf.length;
    while (next < slots) next *= 2;
    const rowOf = grownArray(this.rowOf, next, false);
    rowOf.fill(-1, this.rowOf.length);
    this.rowOf = rowOf;
    this.norms = grownArray(this.norms, next, false);
    this.inverseNorms = grownArray(this.inverseNorms, next, false);
  }

  /** Stores a new slot's vector (in memory until the next save). */
  set(slot: number, vector: Float32Array): void {
    this.ensureCapacity(slot + 1);
    const copy = Float32Array.from(vector);
    this.added.set(slot, copy);
    this.rowOf[slot] = -1;
    const n = Math.sqrt(referenceDot(copy, 0, copy, 0, this.dimension));
    this.norms[slot] = n;
    this.inverseNorms[slot] = n === 0 ? 0 : 1 / n;
  }

  /** The vector of `slot` in `target` (a view of the scratch row unless one is given). */
  private load(slot: number, target: Float32Array = this.row): Float32Array {
    const added = this.added.get(slot);
    if (added !== undefined) {
      target.set(added);
      return target;
    }
    this.source.readRow(this.rowOf[slot]!, target);
    return target;
  }

  get(slot: number): Float32Array {
    return this.load(slot, new Float32Array(this.dimension));
  }

  inverseNorm(slot: number): number {
    return this.inverseNorms[slot]!;
  }

  norm(slot: number): number {
    return this.norms[slot]!;
  }

  move(from: number, to: number): void {
    this.rowOf[to] = this.rowOf[from]!;
    this.norms[to] = this.norms[from]!;
    this.inverseNorms[to] = this.inverseNorms[from]!;
    const added = this.added.get(from);
    this.added.delete(to);
    if (added !== undefined) {
      this.added.delete(from);
      this.added.set(to, added);
    }
  }

  /** Forgets slots ≥ `size` (after a compaction or an aborted build). */
  truncate(size: number): void {
    for (const slot of this.added.keys()) if (slot >= size) this.added.delete(slot);
  }

  setQuery(vector: Float32Array): void {
    this.query.set(vector);
    this.queryNorm = Math.sqrt(referenceDot(this.query, 0, this.query, 0, this.dimension));
  }

  exactScores(count: number): void {
    const { metric, dimension, query, queryNorm } = this;
    const { slots, scores } = this.batch;
    for (let i = 0; i < count; i++) {
      const slot = slots[i]!;
      const v = this.load(slot);
      scores[i] = referenceScore(metric, query, 0, queryNorm, v, 0, this.norms[slot]!, dimension);
    }
  }

  /** Whether every row of slots [0, slots) is the same row of the file (nothing added or moved). */
  identityOver(slots: number): boolean {
    if (this.added.size > 0) return false;
    for (let s = 0; s < slots; s++) if (this.rowOf[s] !== s) return false;
    return true;
  }

  /**
   * The float32 bytes of slots [0, slots) in slot order, in chunks of about `chunkBytes`:
   * consecutive file rows in one read, added rows from memory. Each chunk is valid until the
   * next one is produced.
   */
  *chunks(slots: number, chunkBytes = 8 << 20): Generator<Uint8Array> {
    const dim = this.dimension;
    const perChunk = Math.max(1, Math.floor(chunkBytes / (dim * 4)));
    const buffer = new Float32Array(perChunk * dim);
    for (let start = 0; start < slots; start += perChunk) {
      const end = Math.min(slots, start + perChunk);
      let s = start;
      while (s < end) {
        const row = this.rowOf[s]!;
        if (row < 0) {
          buffer.set(this.added.get(s)!, (s - start) * dim);
          s++;
          continue;
        }
        let run = s + 1;
        while (run < end && this.rowOf[run] === row + (run - s)) run++;
        this.source.readRows(row, row + (run - s), buffer.subarray((s - start) * dim, (run - start) * dim));
        s = run;
      }
      yield new Uint8Array(buffer.buffer, 0, (end - start) * dim * 4);
    }
  }

  /** Switches to the rows of a file just written (slot s at row s); added rows leave memory. */
  adopt(source: RowSource, slots: number): Promise<void> {
    const previous = this.source;
    this.source = source;
    for (let s = 0; s < slots; s++) this.rowOf[s] = s;
    this.added.clear();
    return previous.close();
  }

  close(): Promise<void> {
    return this.source.close();
  }
}
