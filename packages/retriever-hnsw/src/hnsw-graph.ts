import { seededRandomStep } from '@ragloom/core/adapter';
import { DistanceHeap } from './binary-heap.js';
import { GraphControl } from './graph-control.js';
import { lock, unlock } from './node-locks.js';
import { allocateArray, grownArray } from './shared-arrays.js';
import type { BuildKernel, WalkKernel } from './vector-kernel.js';
import { VisitedSet } from './visited-set.js';

/** Accepts a slot as a search result (filters); the walk still passes through rejected slots. */
export type SlotPredicate = ((slot: number) => boolean) | null;

/** Levels above this are never drawn (a level costs memory and the odds of > 40 are nil for M ≥ 2). */
export const MAX_LEVEL = 40;

/** A slot's state byte. The values of live and deleted are the `deleted` section of the index file. */
export const SLOT_LIVE = 0;
/** A tombstone: walks pass through it, results and new links skip it. */
export const SLOT_DELETED = 1;
/** Linked by a parallel build but not yet published: walks and new links use it, results skip it. */
export const SLOT_PENDING = 2;

export interface HnswGraphParams {
  /** Links per node on levels ≥ 1; level 0 keeps 2·M (Malkov & Yashunin, as hnswlib). */
  readonly M: number;
  readonly efConstruction: number;
  /** Seed for the level generator: same records + same seed = same graph (single-thread builds). */
  readonly seed: number;
}

/** What the index file stores of a graph (and what a loader hands back). */
export interface GraphSections {
  readonly slots: number;
  readonly entryPoint: number;
  readonly maxLevel: number;
  readonly randomState: number;
  readonly levels: Uint8Array;
  /** Per slot: 0 live, 1 deleted (the state byte; never pending in a file). */
  readonly deleted: Uint8Array;
  readonly links0: Int32Array;
  readonly upperOffsets: Int32Array;
  readonly upperLinks: Int32Array;
}

/** The shared memory of a graph, as posted to builder threads (every array over a SharedArrayBuffer). */
export interface SharedGraphMemory {
  readonly params: HnswGraphParams;
  readonly capacity: number;
  readonly state: Uint8Array;
  readonly levels: Uint8Array;
  readonly links0: Int32Array;
  readonly upperOffsets: Int32Array;
  readonly upperLinks: Int32Array;
  readonly locks: Int32Array;
  /** The words of the graph's `GraphControl`. */
  readonly control: Int32Array;
}

/**
 * The HNSW graph of Malkov & Yashunin (2018) over the vectors of a kernel, addressed by dense
 * integer slots. Everything lives in typed arrays (over shared memory when the index builds on
 * worker threads):
 * - `links0`: level-0 adjacency, `M0 + 1` int32 per slot (`[count, n1, n2, ...]`);
 * - `upperLinks`: one pool for levels ≥ 1, `M + 1` int32 per level, starting at `upperOffsets[slot]`
 *   (-1 for slots on level 0 only) — only ~1/M of the slots have any;
 * - `levels` (uint8) and `state` (uint8: live, deleted, pending).
 * Construction follows hnswlib: greedy descent, `searchLayer` with efConstruction, the
 * neighbour-selection heuristic (Algorithm 4, without extendCandidates/keepPrunedConnections) for
 * the new node and for neighbours whose lists overflow. Deletes are tombstones until
 * `repairRange` + `compact` relink around them (there the heuristic keeps pruned connections).
 *
 * On builder threads (`attach`) the same code links nodes concurrently, as hnswlib's `addPoint`
 * does but for reads: a node's lists are rewritten under its lock (so no link is lost), and read
 * without it, by builders and searches alike (lists always hold valid slots and a count within
 * bounds, so a read racing a rewrite sees old or new neighbours; searches never return a record
 * that is not published).
 */
export class HnswGraph {
  readonly M: number;
  readonly M0: number;
  readonly efConstruction: number;
  readonly params: HnswGraphParams;
  /**
   * The kernel construction and repairs measure with (float vectors, or codes). The graph only
   * reads it: the index stores, grows and moves every vector representation itself.
   */
  kernel: BuildKernel;
  private readonly levelMultiplier: number;
  readonly stride0: number;
  readonly strideUpper: number;
  /** Whether the arrays live in shared memory (so builder threads can attach). */
  readonly shared: boolean;

  private capacityValue: number;
  private sizeValue = 0;
  private tombstones = 0;
  private pendingCount = 0;
  private upperUsedValue = 0;
  randomState: number;

  private state: Uint8Array;
  private levels: Uint8Array;
  private links0: Int32Array;
  private upperOffsets: Int32Array;
  private upperLinks: Int32Array;
  /** Node locks (builder threads only; null on the owning thread, which never waits). */
  private readonly locks: Int32Array | null;
  private nodeLocks: Int32Array | null;
  private readonly control: GraphControl;

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

  constructor(
    kernel: BuildKernel,
    params: HnswGraphParams,
    initialCapacity = 1024,
    shared = false,
    attached?: SharedGraphMemory,
  ) {
    this.kernel = kernel;
    this.params = params;
    this.M = params.M;
    this.M0 = 2 * params.M;
    this.efConstruction = Math.max(params.efConstruction, params.M);
    this.levelMultiplier = 1 / Math.log(params.M);
    this.randomState = params.seed | 0;
    this.stride0 = this.M0 + 1;
    this.strideUpper = this.M + 1;
    this.shared = shared || attached !== undefined;
    if (attached !== undefined) {
      this.capacityValue = attached.capacity;
      this.state = attached.state;
      this.levels = attached.levels;
      this.links0 = attached.links0;
      this.upperOffsets = attached.upperOffsets;
      this.upperLinks = attached.upperLinks;
      this.locks = attached.locks;
      this.nodeLocks = attached.locks;
      this.control = GraphControl.attach(attached.control);
    } else {
      this.capacityValue = Math.max(1, initialCapacity);
      const capacity = this.capacityValue;
      this.state = allocateArray(Uint8Array, capacity, this.shared);
      this.levels = allocateArray(Uint8Array, capacity, this.shared);
      this.links0 = allocateArray(Int32Array, capacity * this.stride0, this.shared);
      this.upperOffsets = allocateArray(Int32Array, capacity, this.shared).fill(-1);
      this.upperLinks = allocateArray(Int32Array, Math.max(64, this.strideUpper * 8), this.shared);
      this.locks = null;
      this.nodeLocks = this.shared ? allocateArray(Int32Array, capacity, true) : null;
      this.control = GraphControl.create(this.shared);
    }
    this.visited = new VisitedSet(this.capacityValue);
    this.pickSlots = new Int32Array(this.M0 + 1);
    this.pickKeys = new Float64Array(this.M0 + 1);
  }

  /** A graph over shared memory on a builder thread, measuring with `kernel` (attached to the same vectors). */
  static attach(kernel: BuildKernel, memory: SharedGraphMemory): HnswGraph {
    return new HnswGraph(kernel, memory.params, memory.capacity, true, memory);
  }

  /** A graph over decoded sections (adopted, not copied, when they have its exact shape). */
  static fromSections(
    kernel: BuildKernel,
    params: HnswGraphParams,
    sections: GraphSections,
    shared: boolean,
  ): HnswGraph {
    const slots = sections.slots;
    const graph = new HnswGraph(kernel, params, Math.max(slots, 1), shared);
    const adopt = <T extends Uint8Array | Int32Array>(current: T, loaded: T): T => {
      if (loaded.length === current.length && (!shared || loaded.buffer instanceof SharedArrayBuffer)) {
        return loaded;
      }
      current.set(loaded as never);
      return current;
    };
    graph.levels = adopt(graph.levels, sections.levels);
    graph.state = adopt(graph.state, sections.deleted);
    graph.links0 = adopt(graph.links0, sections.links0);
    graph.upperOffsets = adopt(graph.upperOffsets, sections.upperOffsets);
    const pool = sections.upperLinks;
    graph.upperLinks =
      pool.length > 0 && (!shared || pool.buffer instanceof SharedArrayBuffer)
        ? pool
        : grownArray(pool, Math.max(64, pool.length), shared);
    graph.upperUsedValue = pool.length;
    graph.sizeValue = slots;
    let deleted = 0;
    for (let s = 0; s < slots; s++) deleted += graph.state[s]!;
    graph.tombstones = deleted;
    graph.control.setEntry(sections.entryPoint, sections.maxLevel);
    graph.randomState = sections.randomState;
    return graph;
  }

  /** Slots in use (live, deleted and pending). */
  get size(): number {
    return this.sizeValue;
  }

  get capacity(): number {
    return this.capacityValue;
  }

  /** Records a search can return. */
  get liveCount(): number {
    return this.sizeValue - this.tombstones - this.pendingCount;
  }

  get deletedCount(): number {
    return this.tombstones;
  }

  get entryPoint(): number {
    return this.control.entryPoint;
  }

  get maxLevel(): number {
    return this.control.topLevel;
  }

  /** Entries of the upper-level link pool in use. */
  get upperUsed(): number {
    return this.upperUsedValue;
  }

  isLive(slot: number): boolean {
    return this.state[slot] === SLOT_LIVE;
  }

  isDeleted(slot: number): boolean {
    return this.state[slot] === SLOT_DELETED;
  }

  levelOf(slot: number): number {
    return this.levels[slot]!;
  }

  /** The state bytes of slots [0, size) (0 live, 1 deleted, 2 pending), for scans over every slot. */
  stateView(): Uint8Array {
    return this.state.subarray(0, this.sizeValue);
  }

  /** The arrays the index file stores (views, valid until the graph next changes). */
  sections(): GraphSections {
    const size = this.sizeValue;
    return {
      slots: size,
      entryPoint: this.entryPoint,
      maxLevel: this.maxLevel,
      randomState: this.randomState,
      levels: this.levels.subarray(0, size),
      deleted: this.state.subarray(0, size),
      links0: this.links0.subarray(0, size * this.stride0),
      upperOffsets: this.upperOffsets.subarray(0, size),
      upperLinks: this.upperLinks.subarray(0, this.upperUsedValue),
    };
  }

  /** The shared memory builder threads attach to (grow first: they cannot follow a reallocation). */
  sharedMemory(): SharedGraphMemory {
    if (!this.shared || this.nodeLocks === null) throw new Error('this graph is not in shared memory');
    return {
      params: this.params,
      capacity: this.capacityValue,
      state: this.state,
      levels: this.levels,
      links0: this.links0,
      upperOffsets: this.upperOffsets,
      upperLinks: this.upperLinks,
      locks: this.nodeLocks,
      control: this.control.words,
    };
  }

  ensureCapacity(slots: number): void {
    if (slots <= this.capacityValue) return;
    let next = this.capacityValue;
    while (next < slots) next *= 2;
    const shared = this.shared;
    this.levels = grownArray(this.levels, next, shared);
    this.state = grownArray(this.state, next, shared);
    this.links0 = grownArray(this.links0, next * this.stride0, shared);
    const offsets = allocateArray(Int32Array, next, shared).fill(-1);
    offsets.set(this.upperOffsets);
    this.upperOffsets = offsets;
    if (this.nodeLocks !== null) this.nodeLocks = allocateArray(Int32Array, next, true);
    this.visited.ensureCapacity(next);
    this.capacityValue = next;
  }

  /** Makes room in the upper-link pool for `entries` more (before a parallel phase allocates). */
  reserveUpperLinks(entries: number): void {
    if (this.upperUsedValue + entries <= this.upperLinks.length) return;
    this.upperLinks = grownArray(
      this.upperLinks,
      Math.max(this.upperLinks.length * 2, this.upperUsedValue + entries),
      this.shared,
    );
  }

  /** Draws the level of a new node: floor(-ln(U) · 1/ln(M)), as in the paper. */
  randomLevel(): number {
    const r = seededRandomStep(this.randomState);
    this.randomState = r.state;
    // 1 - U lies in (0, 1]: never 0, so -ln is finite.
    return Math.min(MAX_LEVEL, Math.floor(-Math.log(1 - r.value) * this.levelMultiplier));
  }

  /**
   * Reserves the next slot with its level and empty adjacency; the caller stores its vector.
   * `pending` slots are linked by builder threads and hidden from results until `publish`.
   */
  allocateSlot(level: number, pending = false): number {
    this.ensureCapacity(this.sizeValue + 1);
    const slot = this.sizeValue++;
    this.levels[slot] = level;
    this.state[slot] = pending ? SLOT_PENDING : SLOT_LIVE;
    if (pending) this.pendingCount++;
    this.links0[slot * this.stride0] = 0;
    if (level > 0) {
      const need = level * this.strideUpper;
      this.reserveUpperLinks(need);
      this.upperOffsets[slot] = this.upperUsedValue;
      for (let l = 0; l < level; l++) this.upperLinks[this.upperUsedValue + l * this.strideUpper] = 0;
      this.upperUsedValue += need;
    } else {
      this.upperOffsets[slot] = -1;
    }
    return slot;
  }

  /** Makes a pending slot a live record (one byte: searches see it whole or not at all). */
  publish(slot: number): void {
    if (this.state[slot] !== SLOT_PENDING) return;
    this.state[slot] = SLOT_LIVE;
    this.pendingCount--;
  }

  /**
   * Gives back pending slots [from, size) that were never linked (an aborted parallel build):
   * the size, the upper-link pool and the level generator return to where they were before them.
   */
  discardFrom(from: number, randomState: number): void {
    for (let s = this.sizeValue - 1; s >= from; s--) {
      if (this.state[s] === SLOT_PENDING) this.pendingCount--;
      if (this.levels[s]! > 0) this.upperUsedValue = this.upperOffsets[s]!;
      this.state[s] = SLOT_DELETED;
      this.levels[s] = 0;
      this.upperOffsets[s] = -1;
      this.links0[s * this.stride0] = 0;
    }
    this.sizeValue = Math.min(this.sizeValue, from);
    this.randomState = randomState;
  }

  /** The adjacency array holding `slot`'s list on `level` (count first, then slots) and its offset. */
  linkArray(level: number): Int32Array {
    return level === 0 ? this.links0 : this.upperLinks;
  }

  linkBase(slot: number, level: number): number {
    return level === 0 ? slot * this.stride0 : this.upperOffsets[slot]! + (level - 1) * this.strideUpper;
  }

  /** The neighbours of `slot` on `level` (a copy). */
  neighbors(slot: number, level: number): number[] {
    const links = this.linkArray(level);
    const base = this.linkBase(slot, level);
    return Array.from(links.subarray(base + 1, base + 1 + links[base]!));
  }

  /** Links a node whose vector is already stored at `slot` into the graph (Algorithm 1), on this thread. */
  insert(slot: number): void {
    const level = this.levels[slot]!;
    // The first node that can be linked to (tombstones never are, so they do not count).
    if (this.entryPoint < 0 || this.sizeValue - this.tombstones === 1) {
      this.control.setEntry(slot, level);
      return;
    }
    this.link(slot, level, this.entryPoint, this.maxLevel, null);
    if (level > this.maxLevel) this.control.setEntry(slot, level);
  }

  /**
   * `insert` on a builder thread, concurrently with other builders (hnswlib's addPoint): the
   * entry point is read under the global lock, which a node that will become the new top keeps
   * for its whole insertion; lists are read and written under their node's lock.
   */
  insertConcurrent(slot: number): void {
    const control = this.control;
    const level = this.levels[slot]!;
    control.lockGlobal();
    const entry = control.entryPoint;
    const top = control.topLevel;
    if (entry < 0) {
      control.setEntry(slot, level);
      control.unlockGlobal();
      return;
    }
    const raisesTop = level > top;
    if (!raisesTop) control.unlockGlobal();
    this.link(slot, level, entry, top, null);
    if (raisesTop) {
      control.setEntry(slot, level);
      control.unlockGlobal();
    }
  }

  /**
   * Links `slot` on levels min(level, top)..0 from a walk down from `entry`: the insertion, and
   * the re-insertion of a node that compaction left without links.
   */
  private link(slot: number, level: number, entry: number, top: number, accept: SlotPredicate): void {
    const kernel = this.kernel;
    kernel.setQueryFromSlot(slot);
    let current = entry;
    let currentDistance = kernel.distance(current);
    if (level < top) {
      this.greedyDescent(kernel, current, currentDistance, top, level);
      current = this.greedySlot;
      currentDistance = this.greedyDistance;
    }
    for (let l = Math.min(level, top); l >= 0; l--) {
      this.searchLayer(kernel, current, currentDistance, this.efConstruction, l, accept, false);
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
    const state = this.state[slot];
    if (state === SLOT_DELETED) return;
    if (state === SLOT_PENDING) this.pendingCount--;
    this.state[slot] = SLOT_DELETED;
    this.tombstones++;
  }

  /** Keeps the entry point a linkable node on the highest level (one scan, when it was deleted). */
  fixEntryPoint(): void {
    const entry = this.entryPoint;
    if (entry >= 0 && this.state[entry] !== SLOT_DELETED) return;
    let best = -1;
    let bestLevel = -1;
    for (let s = 0; s < this.sizeValue; s++) {
      if (this.state[s] !== SLOT_DELETED && this.levels[s]! > bestLevel) {
        best = s;
        bestLevel = this.levels[s]!;
      }
    }
    this.control.setEntry(best, bestLevel);
  }

  /**
   * Repairs the lists of live slots in [from, to) that point at tombstones (consolidation as in
   * FreshDiskANN): the candidates are the live neighbours plus the live neighbours of each deleted
   * neighbour, pruned back to M (2M on level 0) by the same heuristic as insertion. Afterwards no
   * live list in the range names a tombstone, and the graph stays navigable around the holes.
   */
  repairRange(from: number, to: number): void {
    for (let s = from; s < to; s++) {
      if (this.state[s] === SLOT_DELETED) continue;
      const top = this.levels[s]!;
      for (let level = 0; level <= top; level++) this.repairList(s, level);
    }
  }

  private repairList(slot: number, level: number): void {
    const links = this.linkArray(level);
    const base = this.linkBase(slot, level);
    const count = links[base]!;
    const state = this.state;
    let stale = false;
    for (let j = 1; j <= count; j++) {
      if (state[links[base + j]!] === SLOT_DELETED) {
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
      if (state[neighbor] !== SLOT_DELETED) {
        if (!visited.visit(neighbor)) results.push(-kernel.pairDistance(slot, neighbor), neighbor);
        continue;
      }
      const nBase = this.linkBase(neighbor, level);
      const nCount = links[nBase]!;
      for (let i = 1; i <= nCount; i++) {
        const candidate = links[nBase + i]!;
        if (state[candidate] !== SLOT_DELETED && !visited.visit(candidate)) {
          results.push(-kernel.pairDistance(slot, candidate), candidate);
        }
      }
    }
    const n = this.drainResults();
    this.ensureScratch(n + 1);
    this.sortedKeys.set(this.resultKeys.subarray(0, n));
    this.sortedSlots.set(this.resultSlots.subarray(0, n));
    const kept = this.selectNeighbors(n, level === 0 ? this.M0 : this.M, true);
    for (let i = 0; i < kept; i++) links[base + 1 + i] = this.selectedSlots[i]!;
    links[base] = kept;
  }

  /**
   * Drops every tombstone, renumbering the live slots in order (vectors, levels, lists), after
   * `repairRange` has run over all slots. `move(from, to)` moves everything else kept per slot
   * (the walk kernel's codes, the records). Returns old slot → new slot (-1 for dropped ones).
   * Live nodes left without any level-0 link are linked in again.
   */
  compact(move: (from: number, to: number) => void): Int32Array {
    this.fixEntryPoint();
    const size = this.sizeValue;
    const map = new Int32Array(size).fill(-1);
    let live = 0;
    let upperNeed = 0;
    for (let s = 0; s < size; s++) {
      if (this.state[s] !== SLOT_DELETED) {
        map[s] = live++;
        upperNeed += this.levels[s]! * this.strideUpper;
      }
    }
    const stride0 = this.stride0;
    const strideUpper = this.strideUpper;
    const links0 = this.links0;
    const oldUpper = this.upperLinks;
    const upper = allocateArray(Int32Array, Math.max(64, upperNeed), this.shared);
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
        move(s, t);
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
      this.state[t] = SLOT_LIVE;
    }
    // Freed slots: no links, and deleted, so that a stale reference to one is never a result.
    for (let s = live; s < size; s++) {
      this.levels[s] = 0;
      this.state[s] = SLOT_DELETED;
      this.upperOffsets[s] = -1;
      links0.fill(0, s * stride0, (s + 1) * stride0);
    }
    this.upperLinks = upper;
    this.upperUsedValue = upperUsed;
    this.sizeValue = live;
    this.tombstones = 0;
    const entry = this.entryPoint;
    this.control.setEntry(entry >= 0 ? map[entry]! : -1, entry >= 0 ? this.maxLevel : -1);
    // A node whose whole neighbourhood was deleted has nothing left to point at: walk to it afresh.
    if (live > 1) {
      for (let s = 0; s < live; s++) {
        if (links0[s * stride0] === 0 && s !== this.entryPoint) {
          this.link(s, Math.min(this.levels[s]!, this.maxLevel), this.entryPoint, this.maxLevel, (other) => {
            return other !== s;
          });
        }
      }
    }
    return map;
  }

  /**
   * k-NN search (Algorithm 5) for `kernel`'s current query: greedy descent to level 1, then a
   * beam of width max(ef, k) on level 0. Results (live slots only) are in
   * `resultKeys`/`resultSlots`, nearest first; returns how many (≤ max(ef, k)). `accept`
   * filters results during the walk.
   */
  search(kernel: WalkKernel, k: number, ef: number, accept: SlotPredicate): number {
    const entry = this.entryPoint;
    if (entry < 0) return 0;
    const top = Math.min(this.maxLevel, this.levels[entry]!);
    let current = entry;
    let currentDistance = kernel.distance(current);
    if (top > 0) {
      this.greedyDescent(kernel, current, currentDistance, top, 0);
      current = this.greedySlot;
      currentDistance = this.greedyDistance;
    }
    this.searchLayer(kernel, current, currentDistance, Math.max(ef, k), 0, accept, true);
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
  private greedyDescent(
    kernel: WalkKernel,
    start: number,
    startDistance: number,
    from: number,
    to: number,
  ): void {
    const { slots: batchSlots, distances: batchDistances } = kernel.batch;
    const maxCount = this.M;
    let current = start;
    let currentDistance = startDistance;
    for (let level = from; level > to; level--) {
      const links = this.upperLinks;
      let changed = true;
      while (changed) {
        changed = false;
        const base = this.upperOffsets[current]! + (level - 1) * this.strideUpper;
        const count = Math.min(links[base]!, maxCount);
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
   * Beam search on one level (Algorithm 2, in hnswlib's form): leaves up to `ef` nearest
   * accepted slots in `results` — live ones for queries, any not deleted for construction.
   * Rejected slots are still expanded, so filters and tombstones do not cut the graph.
   */
  private searchLayer(
    kernel: WalkKernel,
    start: number,
    startDistance: number,
    ef: number,
    level: number,
    accept: SlotPredicate,
    liveOnly: boolean,
  ): void {
    const { slots: batchSlots, distances: batchDistances } = kernel.batch;
    const visited = this.visited;
    const candidates = this.candidates;
    const results = this.results;
    const state = this.state;
    const links = level === 0 ? this.links0 : this.upperLinks;
    const stride = level === 0 ? this.stride0 : this.strideUpper;
    const maxCount = stride - 1;
    const upperOffsets = this.upperOffsets;
    const generation = visited.reset();
    const marks = visited.marks;
    marks[start] = generation;
    candidates.clear();
    results.clear();
    // Which states a result may have, one bit per state: live only for queries; anything not
    // deleted (live or pending) for construction.
    const acceptStates = liveOnly ? 1 << SLOT_LIVE : (1 << SLOT_LIVE) | (1 << SLOT_PENDING);
    let lowerBound = Number.POSITIVE_INFINITY;
    if ((acceptStates >> state[start]!) & 1 && (accept === null || accept(start))) {
      results.push(-startDistance, start);
      lowerBound = startDistance;
    }
    candidates.push(startDistance, start);
    while (candidates.size > 0) {
      if (candidates.topKey() > lowerBound && results.size >= ef) break;
      const current = candidates.topSlot();
      candidates.pop();
      const base = level === 0 ? current * stride : upperOffsets[current]! + (level - 1) * stride;
      // Read without the node's lock, on builder threads too: a list always holds valid slots and
      // a count within bounds, so a read racing a rewrite sees some mix of the old and the new
      // neighbours — good enough to walk by, and it saves two contended atomics per expansion.
      // Rewrites (connect, linkBack) take the lock, so no update is lost.
      const count = Math.min(links[base]!, maxCount);
      let n = 0;
      for (let j = 1; j <= count; j++) {
        const s = links[base + j]!;
        if (marks[s] !== generation) {
          marks[s] = generation;
          batchSlots[n++] = s;
        }
      }
      if (n === 0) continue;
      kernel.distances(n);
      for (let j = 0; j < n; j++) {
        const d = batchDistances[j]!;
        if (results.size < ef || d < lowerBound) {
          const s = batchSlots[j]!;
          candidates.push(d, s);
          if ((acceptStates >> state[s]!) & 1 && (accept === null || accept(s))) {
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
    const links = this.linkArray(level);
    const base = this.linkBase(slot, level);
    const locks = this.locks;
    // Neighbours first, then the count: a reader without the lock never sees a count ahead of them.
    if (locks !== null) lock(locks, slot);
    for (let i = 0; i < chosen; i++) links[base + 1 + i] = this.selectedSlots[i]!;
    Atomics.store(links, base, chosen);
    if (locks !== null) unlock(locks, slot);
    // Keep the new node's picks: linkBack reuses the selection scratch.
    const picks = this.pickSlots;
    const pickKeys = this.pickKeys;
    picks.set(this.selectedSlots.subarray(0, chosen));
    pickKeys.set(this.selectedKeys.subarray(0, chosen));
    const mMax = level === 0 ? this.M0 : this.M;
    for (let i = 0; i < chosen; i++) {
      const neighbor = picks[i]!;
      if (locks !== null) lock(locks, neighbor);
      this.linkBack(neighbor, slot, level, mMax);
      if (locks !== null) unlock(locks, neighbor);
    }
    this.selectedSlots.set(picks.subarray(0, chosen));
    this.selectedKeys.set(pickKeys.subarray(0, chosen));
    return chosen;
  }

  /** Adds `slot` to `neighbor`'s list on `level`; if full, keeps the heuristic's best `mMax`. */
  private linkBack(neighbor: number, slot: number, level: number, mMax: number): void {
    const links = this.linkArray(level);
    const base = this.linkBase(neighbor, level);
    const count = links[base]!;
    if (count < mMax) {
      links[base + 1 + count] = slot;
      Atomics.store(links, base, count + 1);
      return;
    }
    const kernel = this.kernel;
    this.ensureScratch(count + 1);
    const keys = this.sortedKeys;
    const slots = this.sortedSlots;
    // Candidates: the new node and the current neighbours that are not deleted, measured from
    // `neighbor` in one batch, then insertion-sorted by distance (lists are short: ≤ 2M + 1).
    const { slots: batchSlots, distances: batchDistances } = kernel.batch;
    let m = 0;
    batchSlots[m++] = slot;
    for (let j = 1; j <= count; j++) {
      const s = links[base + j]!;
      if (this.state[s] !== SLOT_DELETED) batchSlots[m++] = s;
    }
    kernel.pairDistances(neighbor, m);
    let n = 0;
    for (let c = 0; c < m; c++) {
      const s = batchSlots[c]!;
      const d = batchDistances[c]!;
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
    // Rewritten in place: every entry is a valid neighbour at any moment, old or new.
    for (let i = 0; i < kept; i++) links[base + 1 + i] = this.selectedSlots[i]!;
    Atomics.store(links, base, kept);
  }
}
