import { grownArray } from './shared-arrays.js';

/**
 * A binary min-heap of (key, slot) pairs in parallel typed arrays: no object per entry, no
 * allocation per push once the arrays have grown to the working size. The graph keeps two: the
 * candidate frontier (key = distance, nearest on top) and the bounded result set (key = −distance,
 * so the farthest result is on top and is the one evicted).
 */
export class DistanceHeap {
  keys: Float64Array;
  slots: Int32Array;
  size = 0;

  constructor(initialCapacity = 64) {
    this.keys = new Float64Array(initialCapacity);
    this.slots = new Int32Array(initialCapacity);
  }

  clear(): void {
    this.size = 0;
  }

  topKey(): number {
    return this.keys[0]!;
  }

  topSlot(): number {
    return this.slots[0]!;
  }

  push(key: number, slot: number): void {
    if (this.size === this.keys.length) this.grow();
    const keys = this.keys;
    const slots = this.slots;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentKey = keys[parent]!;
      if (parentKey <= key) break;
      keys[i] = parentKey;
      slots[i] = slots[parent]!;
      i = parent;
    }
    keys[i] = key;
    slots[i] = slot;
  }

  /** Removes the top entry (read it first with topKey/topSlot). */
  pop(): void {
    const n = --this.size;
    if (n <= 0) return;
    const keys = this.keys;
    const slots = this.slots;
    const key = keys[n]!;
    const slot = slots[n]!;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && keys[child + 1]! < keys[child]!) child++;
      const childKey = keys[child]!;
      if (childKey >= key) break;
      keys[i] = childKey;
      slots[i] = slots[child]!;
      i = child;
    }
    keys[i] = key;
    slots[i] = slot;
  }

  /**
   * Empties a heap of negated distances into `outDistances`/`outSlots`, nearest first; returns how
   * many. The output arrays must hold `size` entries.
   */
  drainNegatedAscending(outDistances: Float64Array, outSlots: Int32Array): number {
    const n = this.size;
    for (let i = n - 1; i >= 0; i--) {
      outDistances[i] = -this.keys[0]!;
      outSlots[i] = this.slots[0]!;
      this.pop();
    }
    return n;
  }

  private grow(): void {
    this.keys = grownArray(this.keys, this.keys.length * 2, false);
    this.slots = grownArray(this.slots, this.slots.length * 2, false);
  }
}
