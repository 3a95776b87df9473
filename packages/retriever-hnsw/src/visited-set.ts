import { grownArray } from './shared-arrays.js';

/**
 * The set of slots a graph walk has seen, cleared in O(1): a slot is visited when its mark equals
 * the current generation, so starting a new walk is one increment. The marks are wiped only when
 * the 16-bit generation wraps (once every 65,535 walks). 16-bit marks keep the array small enough
 * to stay in cache on large indexes.
 */
export class VisitedSet {
  /** A slot is visited when its mark equals the current generation (hot loops read these directly). */
  marks: Uint16Array;
  generation = 0;

  constructor(capacity: number) {
    this.marks = new Uint16Array(capacity);
  }

  /** Starts a new walk: every slot becomes unvisited. Returns the walk's generation. */
  reset(): number {
    this.generation++;
    if (this.generation === 0x10000) {
      this.marks.fill(0);
      this.generation = 1;
    }
    return this.generation;
  }

  /** Marks `slot` visited; returns true when it already was. */
  visit(slot: number): boolean {
    if (this.marks[slot] === this.generation) return true;
    this.marks[slot] = this.generation;
    return false;
  }

  has(slot: number): boolean {
    return this.marks[slot] === this.generation;
  }

  ensureCapacity(capacity: number): void {
    if (capacity <= this.marks.length) return;
    this.marks = grownArray(this.marks, capacity, false);
  }
}
