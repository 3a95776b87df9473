import { DistanceHeap } from './binary-heap.js';
import { nextRandom } from './seeded-random.js';
import { grown } from './typed-array-growth.js';
import type { VectorKernel } from './vector-kernel.js';
import { VisitedSet } from './visited-set.js';

/** Accepts a slot as a search result (filters); the walk still passes through rejected slots. */
export type SlotPredicate = ((slot: number) => boolean) | null;

/** Levels above this are never drawn (a level costs memory and the odds of > 40 are nil for M ≥ 2). */
export const MAX_LEVEL = 40;

export interface HnswGraphParams {
  /** Links per node on levels ≥ 1; level 0 keeps 2·M (Malkov & Yashunin, as hnswlib). */
  readonly M: number;
  readonly efConstruction: number;
  /** Seed for the level generator: same records + same seed = same graph. */
  readonly seed: number;
}

/**
 * The HNSW graph of Malkov & Yashunin (2018) over the vectors of a kernel, addressed by dense
 * integer slots. Everything lives in typed arrays:
 * - `links0`: level-0 adjacency, `M0 + 1` int32 per slot (`[count, n1, n2, ...]`);
 * - `upperLinks`: one pool for levels ≥ 1, `M + 1` int32 per level, starting at `upperOffsets[slot]`
 *   (-1 for slots on level 0 only) — only ~1/M of the slots have any;
 * - `levels` (uint8) and `deleted` (uint8 tombstones).
 * Construction follows hnswlib: greedy descent, `searchLayer` with efConstruction, the
 * neighbour-selection heuristic (Algorithm 4, without extendCandidates/keepPrunedConnections) for
 * the new node and for neighbours whose lists overflow. Deletes are tombstones until
 * `repairRange` + `compact` relink around them (there the heuristic keeps pruned connections).
 */
export class HnswGraph {
  readonly M: number;
  readonly M0: number;
  readonly efConstruction: number;
  readonly kernel: VectorKernel;
  private readonly levelMultiplier: number;
  readonly stride0: number;
  readonly strideUpper: number;

  capacity: number;
  /** Slots in use (live + tombstoned). */
  size = 0;
  deletedCount = 0;
  entryPoint = -1;
  maxLevel = -1;
  randomState: number;

  levels: Uint8Array;
  deleted: Uint8Array;
  links0: Int32Array;
  upperOffsets: Int32Array;
  upperLinks: Int32Array;
  upperUsed = 0;

  private readonly visited: VisitedSet;
  /** Nearest unexpanded candidate on top (key: distance). */
  private readonly candidates = new DistanceHeap(256);
  /** Farthest kept result on top (key: −distance), so it is the one evicted beyond ef. */
  private readonly results = new DistanceHeap(256);
  // Scratch for the neighbour heuristic: candidates sorted by distance, and the selection.
  private sortedKeys = new Float64Array(256);
  private sortedSlots = new Int32Array(256);
  private selectedKeys = new Float64Array(256);
  private selectedSlots = new Int32Array(256);
  /** Results of the last `search`, nearest first. */
  resultKeys = new Float64Array(256);
  resultSlots = new Int32Array(256);
  private readonly pickSlots: Int32Array;
  private readonly pickKeys: Float64Array;
  private greedySlot = 0;
  private greedyDistance = 0;

  constructor(kernel: VectorKernel, params: HnswGraphParams, initialCapacity = 1024) {
    this.kernel = kernel;
    this.M = params.M;
    this.M0 = 2 * params.M;
    this.efConstruction = Math.max(params.efConstruction, params.M);
    this.levelMultiplier = 1 / Math.log(params.M);
    this.randomState = params.seed | 0;
    this.stride0 = this.M0 + 1;
    this.strideUpper = this.M + 1;
    this.capacity = Math.max(1, initialCapacity);
    kernel.ensureCapacity(this.capacity);
    this.levels = new Uint8Array(this.capacity);
    this.deleted = new Uint8Array(this.capacity);
    this.links0 = new Int32Array(this.capacity * this.stride0);
    this.upperOffsets = new Int32Array(this.capacity).fill(-1);
    this.upperLinks = new Int32Array(Math.max(64, this.strideUpper * 8));
    this.visited = new VisitedSet(this.capacity);
    this.pickSlots = new Int32Array(this.M0 + 1);
    this.pickKeys = new Float64Array(this.M0 + 1);
  }

  get liveCount(): number {
    return this.size - this.deletedCount;
  }

  ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return;
    let next = this.capacity;
    while (next < slots) next *= 2;
    this.kernel.ensureCapacity(next);
    this.levels = grown(this.levels, next);
    this.deleted = grown(this.deleted, next);
    this.links0 = grown(this.links0, next * this.stride0);
    const offsets = new Int32Array(next).fill(-1);
    offsets.set(this.upperOffsets);
    this.upperOffsets = offsets;
    this.visited.ensureCapacity(next);
    this.capacity = next;
  }

  /** Draws the level of a new node: floor(-ln(U) · 1/ln(M)), as in the paper. */
  randomLevel(): number {
    const r = nextRandom(this.randomState);
    this.randomState = r.state;
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(r.value) * this.levelMultiplier));
  }

  /** Reserves the next slot with its level and empty adjacency; the caller stores its vector. */
  allocateSlot(level: number): number {
    this.ensureCapacity(this.size + 1);
    const slot = this.size++;
    this.levels[slot] = level;
    this.deleted[slot] = 0;
    this.links0[slot * this.stride0] = 0;
    if (level > 0) {
      const need = level * this.strideUpper;
      if (this.upperUsed + need > this.upperLinks.length) {
        this.upperLinks = grown(this.upperLinks, Math.max(this.upperLinks.length * 2, this.upperUsed + need));
      }
      this.upperOffsets[slot] = this.upperUsed;
      for (let l = 0; l < level; l++) this.upperLinks[this.upperUsed + l * this.strideUpper] = 0;
      this.upperUsed += need;
    } else {
      this.upperOffsets[slot] = -1;
    }
    return slot;
  }

  /** The adjacency array and the offset of `slot`'s list on `level` (count first, then slots). */
  linkArray(level: number): Int32Array {
    return level === 0 ? this.links0 : this.upperLinks;
  }

  linkBase(slot: number, level: number): number {
    return level === 0 ? slot * this.stride0 : this.upperOffsets[slot]! + (level - 1) * this.strideUpper;
  }

  /** Links a node whose vector is already stored at `slot` into the graph (Algorithm 1). */
  insert(slot: number): void {
    const level = this.levels[slot]!;
    // The first live node (tombstones are never linked to, so they do not count).
    if (this.entryPoint < 0 || this.liveCount === 1) {
      this.entryPoint = slot;
      this.maxLevel = level;
      return;
    }
    this.link(slot, level, null);
    if (level > this.maxLevel) {
      this.entryPoint = slot;
      this.maxLevel = level;
    }
  }

  /**
   * Links `slot` on levels min(level, maxLevel)..0 from a walk down from the entry point: the
   * insertion, and the re-insertion of a node that compaction left without links.
   */
  private link(slot: number, level: number, accept: SlotPredicate): void {
    const kernel = this.kernel;
    kernel.setQueryFromSlot(slot);
    let current = this.entryPoint;
    let currentDistance = kernel.distance(current);
    if (level < this.maxLevel) {
      this.greedyDescent(current, currentDistance, this.maxLevel, level);
      current = this.greedySlot;
      currentDistance = this.greedyDistance;
    }
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      this.searchLayer(current, currentDistance, this.efConstruction, l, accept);
      if (this.results.size === 0) continue;
      const n = this.drainResults();
      this.connect(slot, l, n);
      // The next level down starts from the nearest pick (the heuristic always keeps the nearest).
      current = this.selectedSlots[0]!;
      currentDistance = this.selectedKeys[0]!;
    }
  }

  /**
   * Tombstones `slot`: it is never returned or linked to again, but walks still pass through it
   * until `repairRange` + `compact` remove it. Call `fixEntryPoint` after a batch of these.
   */
  markDeleted(slot: number): void {
    if (this.deleted[slot] !== 0) return;
    this.deleted[slot] = 1;
    this.deletedCount++;
  }

  /** Keeps the entry point a live node on the highest live level (one scan, when it was deleted). */
  fixEntryPoint(): void {
    if (this.entryPoint >= 0 && this.deleted[this.entryPoint] === 0) return;
    let best = -1;
    let bestLevel = -1;
    for (let s = 0; s < this.size; s++) {
      if (this.deleted[s] === 0 && this.levels[s]! > bestLevel) {
        best = s;
        bestLevel = this.levels[s]!;
      }
    }
    this.entryPoint = best;
    this.maxLevel = bestLevel;
  }

  /**
   * Repairs the lists of live slots in [from, to) that point at tombstones (consolidation as in
   * FreshDiskANN): the candidates are the live neighbours plus the live neighbours of each deleted
   * neighbour, pruned back to M (2M on level 0) by the same heuristic as insertion. Afterwards no
   * live list in the range names a tombstone, and the graph stays navigable around the holes.
   */
  repairRange(from: number, to: number): void {
    for (let s = from; s < to; s++) {
      if (this.deleted[s] !== 0) continue;
      const top = this.levels[s]!;
      for (let level = 0; level <= top; level++) this.repairList(s, level);
    }
  }

  private repairList(slot: number, level: number): void {
    const links = level === 0 ? this.links0 : this.upperLinks;
    const base = this.linkBase(slot, level);
    const count = links[base]!;
    const deleted = this.deleted;
    let stale = false;
    for (let j = 1; j <= count; j++) {
      if (deleted[links[base + j]!] !== 0) {
        stale = true;
        break;
      }
    }
    if (!stale) return;
    const kernel = this.kernel;
    const visited = this.visited;
    const results = this.results;
    visited.reset();
    visited.visit(slot);
    results.clear();
    for (let j = 1; j <= count; j++) {
      const neighbor = links[base + j]!;
      if (deleted[neighbor] === 0) {
        if (!visited.visit(neighbor)) results.push(-kernel.pairDistance(slot, neighbor), neighbor);
        continue;
      }
      const nBase = this.linkBase(neighbor, level);
      const nCount = links[nBase]!;
      for (let i = 1; i <= nCount; i++) {
        const candidate = links[nBase + i]!;
        if (deleted[candidate] === 0 && !visited.visit(candidate)) {
          results.push(-kernel.pairDistance(slot, candidate), candidate);
        }
      }
    }
    const n = this.drainResults();
    this.ensureScratch(n + 1);
    this.sortedKeys.set(this.resultKeys.subarray(0, n));
    this.sortedSlots.set(this.resultSlots.subarray(0, n));
    const kept = this.selectNeighbors(n, level === 0 ? this.M0 : this.M, true);
    links[base] = kept;
    for (let i = 0; i < kept; i++) links[base + 1 + i] = this.selectedSlots[i]!;
  }

  /**
   * Drops every tombstone, renumbering the live slots in order (vectors, levels, lists), after
   * `repairRange` has run over all slots. Returns old slot → new slot (-1 for dropped ones).
   * Live nodes left without any level-0 link are linked in again.
   */
  compact(): Int32Array {
    this.fixEntryPoint();
    const size = this.size;
    const map = new Int32Array(size).fill(-1);
    let live = 0;
    let upperNeed = 0;
    for (let s = 0; s < size; s++) {
      if (this.deleted[s] === 0) {
        map[s] = live++;
        upperNeed += this.levels[s]! * this.strideUpper;
      }
    }
    const stride0 = this.stride0;
    const strideUpper = this.strideUpper;
    const links0 = this.links0;
    const oldUpper = this.upperLinks;
    const upper = new Int32Array(Math.max(64, upperNeed));
    let upperUsed = 0;
    const remap = (links: Int32Array, base: number) => {
      const count = links[base]!;
      let kept = 0;
      for (let j = 1; j <= count; j++) {
        const target = map[links[base + j]!]!;
        if (target >= 0) links[base + 1 + kept++] = target;
      }
      links[base] = kept;
    };
    for (let s = 0; s < size; s++) {
      const t = map[s]!;
      if (t < 0) continue;
      const level = this.levels[s]!;
      if (t !== s) {
        this.kernel.move(s, t);
        this.levels[t] = level;
        links0.copyWithin(t * stride0, s * stride0, s * stride0 + stride0);
      }
      remap(links0, t * stride0);
      const oldOffset = this.upperOffsets[s]!;
      if (level > 0) {
        upper.set(oldUpper.subarray(oldOffset, oldOffset + level * strideUpper), upperUsed);
        for (let l = 0; l < level; l++) remap(upper, upperUsed + l * strideUpper);
        this.upperOffsets[t] = upperUsed;
        upperUsed += level * strideUpper;
      } else {
        this.upperOffsets[t] = -1;
      }
      this.deleted[t] = 0;
    }
    for (let s = live; s < size; s++) {
      this.levels[s] = 0;
      this.deleted[s] = 0;
      this.upperOffsets[s] = -1;
      links0[s * stride0] = 0;
    }
    this.upperLinks = upper;
    this.upperUsed = upperUsed;
    this.size = live;
    this.deletedCount = 0;
    this.entryPoint = this.entryPoint >= 0 ? map[this.entryPoint]! : -1;
    if (this.entryPoint < 0) this.maxLevel = -1;
    // A node whose whole neighbourhood was deleted has nothing left to point at: walk to it afresh.
    if (live > 1) {
      for (let s = 0; s < live; s++) {
        if (links0[s * stride0] === 0 && s !== this.entryPoint) {
          this.link(s, Math.min(this.levels[s]!, this.maxLevel), (other) => other !== s);
        }
      }
    }
    return map;
  }

  /**
   * k-NN search (Algorithm 5) for the kernel's current query (`kernel.setQuery`): greedy descent
   * to level 1, then a beam of width max(ef, k) on level 0. Results are in
   * `resultKeys`/`resultSlots`, nearest first; returns how many (≤ max(ef, k)). `accept` filters
   * results during the walk.
   */
  search(k: number, ef: number, accept: SlotPredicate): number {
    if (this.entryPoint < 0) return 0;
    const kernel = this.kernel;
    let current = this.entryPoint;
    let currentDistance = kernel.distance(current);
    if (this.maxLevel > 0) {
      this.greedyDescent(current, currentDistance, this.maxLevel, 0);
      current = this.greedySlot;
      currentDistance = this.greedyDistance;
    }
    this.searchLayer(current, currentDistance, Math.max(ef, k), 0, accept);
    return this.drainResults();
  }

  private drainResults(): number {
    const n = this.results.size;
    if (this.resultKeys.length < n) {
      this.resultKeys = new Float64Array(n * 2);
      this.resultSlots = new Int32Array(n * 2);
    }
    return this.results.drainNegatedAscending(this.resultKeys, this.resultSlots);
  }

  /** Greedy walk from level `from` down to level `to + 1`, moving to the closest neighbour while it improves. */
  private greedyDescent(start: number, startDistance: number, from: number, to: number): void {
    const kernel = this.kernel;
    const batchSlots = kernel.batchSlots;
    const batchDistances = kernel.batchDistances;
    let current = start;
    let currentDistance = startDistance;
    for (let level = from; level > to; level--) {
      const links = this.upperLinks;
      let changed = true;
      while (changed) {
        changed = false;
        const base = this.upperOffsets[current]! + (level - 1) * this.strideUpper;
        const count = links[base]!;
        for (let j = 0; j < count; j++) batchSlots[j] = links[base + 1 + j]!;
        kernel.distances(count);
        for (let j = 0; j < count; j++) {
          const d = batchDistances[j]!;
          if (d < currentDistance) {
            currentDistance = d;
            current = batchSlots[j]!;
            changed = true;
          }
        }
      }
    }
    this.greedySlot = current;
    this.greedyDistance = currentDistance;
  }

  /**
   * Beam search on one level (Algorithm 2, in hnswlib's form): leaves up to `ef` nearest accepted,
   * non-deleted slots in `results`. Rejected slots are still expanded, so filters and tombstones
   * do not cut the graph.
   */
  private searchLayer(
    start: number,
    startDistance: number,
    ef: number,
    level: number,
    accept: SlotPredicate,
  ): void {
    const kernel = this.kernel;
    const batchSlots = kernel.batchSlots;
    const batchDistances = kernel.batchDistances;
    const visited = this.visited;
    const candidates = this.candidates;
    const results = this.results;
    const deleted = this.deleted;
    const links = level === 0 ? this.links0 : this.upperLinks;
    const stride = level === 0 ? this.stride0 : this.strideUpper;
    const upperOffsets = this.upperOffsets;
    visited.reset();
    visited.visit(start);
    candidates.clear();
    results.clear();
    let lowerBound = Number.POSITIVE_INFINITY;
    if (deleted[start] === 0 && (accept === null || accept(start))) {
      results.push(-startDistance, start);
      lowerBound = startDistance;
    }
    candidates.push(startDistance, start);
    while (candidates.size > 0) {
      if (candidates.topKey() > lowerBound && results.size >= ef) break;
      const current = candidates.topSlot();
      candidates.pop();
      const base = level === 0 ? current * stride : upperOffsets[current]! + (level - 1) * stride;
      const count = links[base]!;
      let n = 0;
      for (let j = 1; j <= count; j++) {
        const s = links[base + j]!;
        if (!visited.visit(s)) batchSlots[n++] = s;
      }
      if (n === 0) continue;
      kernel.distances(n);
      for (let j = 0; j < n; j++) {
        const d = batchDistances[j]!;
        if (results.size < ef || d < lowerBound) {
          const s = batchSlots[j]!;
          candidates.push(d, s);
          if (deleted[s] === 0 && (accept === null || accept(s))) {
            results.push(-d, s);
            if (results.size > ef) results.pop();
            lowerBound = -results.topKey();
          }
        }
      }
    }
  }

  private ensureScratch(n: number): void {
    if (this.sortedKeys.length >= n) return;
    const size = Math.max(n, this.sortedKeys.length * 2);
    this.sortedKeys = new Float64Array(size);
    this.sortedSlots = new Int32Array(size);
    this.selectedKeys = new Float64Array(size);
    this.selectedSlots = new Int32Array(size);
  }

  /**
   * The neighbour-selection heuristic (Algorithm 4): walking candidates nearest first, keep one
   * only if it is closer to the base than to every neighbour kept so far. Input: `sortedKeys` /
   * `sortedSlots[0..n)` ascending; output: `selectedKeys`/`selectedSlots`, returns the count.
   */
  private selectNeighbors(n: number, m: number, keepPruned = false): number {
    const sortedKeys = this.sortedKeys;
    const sortedSlots = this.sortedSlots;
    const selectedKeys = this.selectedKeys;
    const selectedSlots = this.selectedSlots;
    if (n < m) {
      for (let i = 0; i < n; i++) {
        selectedKeys[i] = sortedKeys[i]!;
        selectedSlots[i] = sortedSlots[i]!;
      }
      return n;
    }
    const kernel = this.kernel;
    let count = 0;
    for (let i = 0; i < n && count < m; i++) {
      const candidate = sortedSlots[i]!;
      const toBase = sortedKeys[i]!;
      let good = true;
      for (let j = 0; j < count; j++) {
        if (kernel.pairDistance(selectedSlots[j]!, candidate) < toBase) {
          good = false;
          break;
        }
      }
      if (good) {
        selectedKeys[count] = toBase;
        selectedSlots[count] = candidate;
        count++;
      } else if (keepPruned) {
        // Mark as pruned (the slot is restored below when there is room).
        sortedSlots[i] = -1 - candidate;
      }
    }
    if (keepPruned) {
      // The paper's keepPrunedConnections: fill up to m with the nearest discarded candidates, so
      // repairs do not thin the graph out (their candidate lists lack insertion's reverse links).
      for (let i = 0; i < n && count < m; i++) {
        const marked = sortedSlots[i]!;
        if (marked >= 0) continue;
        selectedKeys[count] = sortedKeys[i]!;
        selectedSlots[count] = -1 - marked;
        count++;
      }
    }
    return count;
  }

  /**
   * Connects `slot` on `level` to the heuristic's pick among the `n` results of the last walk
   * (in `resultKeys`/`resultSlots`, ascending) and links back, re-selecting a neighbour's list
   * when it overflows. Returns the number of neighbours chosen (nearest first in `selected*`).
   */
  private connect(slot: number, level: number, n: number): number {
    this.ensureScratch(n + 1);
    this.sortedKeys.set(this.resultKeys.subarray(0, n));
    this.sortedSlots.set(this.resultSlots.subarray(0, n));
    const chosen = this.selectNeighbors(n, this.M);
    const links = level === 0 ? this.links0 : this.upperLinks;
    const base = this.linkBase(slot, level);
    links[base] = chosen;
    for (let i = 0; i < chosen; i++) links[base + 1 + i] = this.selectedSlots[i]!;
    // Keep the new node's picks: linkBack reuses the selection scratch.
    const picks = this.pickSlots;
    const pickKeys = this.pickKeys;
    picks.set(this.selectedSlots.subarray(0, chosen));
    pickKeys.set(this.selectedKeys.subarray(0, chosen));
    const mMax = level === 0 ? this.M0 : this.M;
    for (let i = 0; i < chosen; i++) this.linkBack(picks[i]!, slot, level, mMax);
    this.selectedSlots.set(picks.subarray(0, chosen));
    this.selectedKeys.set(pickKeys.subarray(0, chosen));
    return chosen;
  }

  /** Adds `slot` to `neighbor`'s list on `level`; if full, keeps the heuristic's best `mMax`. */
  private linkBack(neighbor: number, slot: number, level: number, mMax: number): void {
    const links = level === 0 ? this.links0 : this.upperLinks;
    const base = this.linkBase(neighbor, level);
    const count = links[base]!;
    if (count < mMax) {
      links[base + 1 + count] = slot;
      links[base] = count + 1;
      return;
    }
    const kernel = this.kernel;
    this.ensureScratch(count + 1);
    const keys = this.sortedKeys;
    const slots = this.sortedSlots;
    let n = 0;
    // Candidates: the new node and the live current neighbours, insertion-sorted by distance to
    // `neighbor` (lists are short: ≤ 2M + 1).
    for (let j = 0; j <= count; j++) {
      const s = j === 0 ? slot : links[base + j]!;
      if (j > 0 && this.deleted[s] !== 0) continue;
      const d = kernel.pairDistance(neighbor, s);
      let i = n++;
      while (i > 0 && keys[i - 1]! > d) {
        keys[i] = keys[i - 1]!;
        slots[i] = slots[i - 1]!;
        i--;
      }
      keys[i] = d;
      slots[i] = s;
    }
    const kept = this.selectNeighbors(n, mMax);
    links[base] = kept;
    for (let i = 0; i < kept; i++) links[base + 1 + i] = this.selectedSlots[i]!;
  }
}
