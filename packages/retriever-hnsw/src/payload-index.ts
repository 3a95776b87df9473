import type { FilterNode, Metadata, MetadataScalar } from '@ragloom/core';

/**
 * Per-field indexes of the metadata (Qdrant's payload indexes, built automatically): for a field
 * a filter names, value → slots, the numbers in sorted order (for ranges) and the slots where the
 * field is present. Built on first use by a scan, then kept complete by appending every metadata
 * stored (`add`); entries are never removed, so a list may hold stale slots (deleted, or whose
 * metadata changed) — `candidates` is a superset the caller verifies with the real predicate.
 * Compaction renumbers slots: `clear` drops everything and fields are rebuilt on next use.
 *
 * A list goes stale only when a live record's metadata is replaced in place (same vector): the
 * slots of deleted or replaced records are dead, and every scan skips dead slots. While a
 * field has had no such replacement, its lists are exact, and `candidates` says so — the caller
 * can then skip re-checking the predicate on each.
 */
export class PayloadIndex {
  private readonly fields = new Map<string, FieldIndex>();

  constructor(
    /** The index as a field's first scan reads it: slots in use, live ones, and their metadata. */
    private readonly view: {
      readonly size: () => number;
      readonly liveCount: () => number;
      readonly isLive: (slot: number) => boolean;
      readonly metadataAt: (slot: number) => Metadata;
    },
  ) {}

  /** Records the metadata now stored at `slot` in every field index built so far. */
  add(slot: number, metadata: Metadata, replaced: boolean): void {
    for (const [field, index] of this.fields) {
      index.add(slot, metadata, field);
      if (replaced) index.stale = true;
    }
  }

  clear(): void {
    this.fields.clear();
  }

  /** Fields indexed so far (for stats). */
  get indexedFields(): string[] {
    return [...this.fields.keys()];
  }

  /**
   * A superset of the live slots matching `node`, or null when the index cannot narrow it (no
   * field condition to use: `$ne`, `$nin`, `$not`, `$exists: false`, date-time ranges, match-all).
   * Lists may repeat a slot and name dead ones. `exact`: among live slots, the list holds the
   * matches and nothing else (the predicate need not be checked).
   */
  candidates(node: FilterNode): { slots: Int32Array; exact: boolean } | null {
    const plan = this.plan(node);
    if (plan === null) return null;
    const { lists, exact } = plan;
    if (lists.length === 1) return { slots: lists[0]!, exact };
    let total = 0;
    for (const list of lists) total += list.length;
    const out = new Int32Array(total);
    let at = 0;
    for (const list of lists) {
      out.set(list, at);
      at += list.length;
    }
    return { slots: out, exact };
  }

  /** Candidate lists whose union covers the matches, and whether exactly, or null (see `candidates`). */
  private plan(node: FilterNode): { lists: Int32Array[]; exact: boolean } | null {
    switch (node.type) {
      case 'all':
      case 'not':
        return null;
      case 'and': {
        // Any child's superset covers the conjunction: take the smallest (exact only if alone).
        let best: { lists: Int32Array[]; exact: boolean } | null = null;
        let bestSize = Number.POSITIVE_INFINITY;
        for (const child of node.children) {
          const plan = this.plan(child);
          if (plan === null) continue;
          const size = plan.lists.reduce((n, l) => n + l.length, 0);
          if (size < bestSize) {
            best = plan;
            bestSize = size;
          }
        }
        if (best === null) return null;
        return { lists: best.lists, exact: best.exact && node.children.length === 1 };
      }
      case 'or': {
        const lists: Int32Array[] = [];
        let exact = true;
        for (const child of node.children) {
          const plan = this.plan(child);
          if (plan === null) return null;
          lists.push(...plan.lists);
          exact &&= plan.exact;
        }
        return { lists, exact };
      }
      case 'field': {
        const lists = this.fieldLists(node);
        if (lists === null) return null;
        return { lists, exact: !this.field(node.field).stale };
      }
    }
  }

  private fieldLists(node: Extract<FilterNode, { type: 'field' }>): Int32Array[] | null {
    switch (node.op) {
      case 'eq':
        return [this.field(node.field).slotsWith(node.value)];
      case 'in':
        return node.values.map((v) => this.field(node.field).slotsWith(v));
      case 'exists':
        return node.value ? [this.field(node.field).present()] : null;
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        if (node.valueKind !== 'number') return null;
        return [this.field(node.field).numbersIn(node.op, node.value as number)];
      default:
        return null;
    }
  }

  private field(name: string): FieldIndex {
    let index = this.fields.get(name);
    // Rebuilt once stale entries (replaced metadata, deleted records) outnumber the live ones.
    if (index === undefined || index.records > 2 * this.view.liveCount() + 4096) {
      index = new FieldIndex();
      const { size, isLive, metadataAt } = this.view;
      const end = size();
      for (let slot = 0; slot < end; slot++) {
        if (isLive(slot)) index.add(slot, metadataAt(slot), name);
      }
      this.fields.set(name, index);
    }
    return index;
  }
}

const EMPTY = new Int32Array(0);

/** A growable list of slots. */
class SlotList {
  slots = new Int32Array(4);
  length = 0;
  push(slot: number): void {
    if (this.length === this.slots.length) {
      const next = new Int32Array(this.slots.length * 2);
      next.set(this.slots);
      this.slots = next;
    }
    this.slots[this.length++] = slot;
  }
  view(): Int32Array {
    return this.slots.subarray(0, this.length);
  }
}

/** One field: value → slots, sorted numbers → slots (with an unsorted tail), slots where present. */
class FieldIndex {
  /** Some live record's metadata was replaced since this index was built: lists may hold stale slots. */
  stale = false;
  private readonly byValue = new Map<MetadataScalar, SlotList>();
  private readonly presentSlots = new SlotList();
  private sortedValues = new Float64Array(0);
  private sortedSlots = EMPTY;
  private readonly tailValues: number[] = [];
  private readonly tailSlots: number[] = [];

  /** Records appended (one per metadata stored with the field present). */
  get records(): number {
    return this.presentSlots.length;
  }

  add(slot: number, metadata: Metadata, field: string): void {
    // Own properties only: a field named "constructor" or "__proto__" is an ordinary field.
    if (!Object.hasOwn(metadata, field)) return;
    const value = metadata[field];
    if (value === null || value === undefined) return;
    const elements: readonly MetadataScalar[] = Array.isArray(value) ? value : [value as MetadataScalar];
    if (elements.length === 0) return;
    this.presentSlots.push(slot);
    for (const element of elements) {
      let list = this.byValue.get(element);
      if (list === undefined) {
        list = new SlotList();
        this.byValue.set(element, list);
      }
      list.push(slot);
      if (typeof element === 'number') {
        this.tailValues.push(element);
        this.tailSlots.push(slot);
      }
    }
  }

  slotsWith(value: MetadataScalar): Int32Array {
    return this.byValue.get(value)?.view() ?? EMPTY;
  }

  present(): Int32Array {
    return this.presentSlots.view();
  }

  /** Slots with a number satisfying `op bound` (sorted part by binary search, then the tail). */
  numbersIn(op: 'gt' | 'gte' | 'lt' | 'lte', bound: number): Int32Array {
    if (this.tailValues.length > 1024 && this.tailValues.length * 8 > this.sortedValues.length) this.sort();
    const values = this.sortedValues;
    // First index whose value is ≥ bound (or > bound).
    const lowerBound = (strict: boolean) => {
      let lo = 0;
      let hi = values.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (strict ? values[mid]! <= bound : values[mid]! < bound) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    let from = 0;
    let to = values.length;
    if (op === 'gt') from = lowerBound(true);
    else if (op === 'gte') from = lowerBound(false);
    else if (op === 'lt') to = lowerBound(false);
    else to = lowerBound(true);
    const test =
      op === 'gt'
        ? (x: number) => x > bound
        : op === 'gte'
          ? (x: number) => x >= bound
          : op === 'lt'
            ? (x: number) => x < bound
            : (x: number) => x <= bound;
    const tail: number[] = [];
    for (let i = 0; i < this.tailValues.length; i++) {
      if (test(this.tailValues[i]!)) tail.push(this.tailSlots[i]!);
    }
    if (tail.length === 0) return this.sortedSlots.subarray(from, Math.max(from, to));
    const out = new Int32Array(Math.max(0, to - from) + tail.length);
    out.set(this.sortedSlots.subarray(from, Math.max(from, to)));
    out.set(tail, Math.max(0, to - from));
    return out;
  }

  /** Merges the tail into the sorted arrays. */
  private sort(): void {
    const n = this.sortedValues.length + this.tailValues.length;
    const order = new Int32Array(n);
    const values = new Float64Array(n);
    const slots = new Int32Array(n);
    values.set(this.sortedValues);
    values.set(this.tailValues, this.sortedValues.length);
    slots.set(this.sortedSlots);
    slots.set(this.tailSlots, this.sortedSlots.length);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((a, b) => values[a]! - values[b]!);
    this.sortedValues = Float64Array.from(order, (i) => values[i]!);
    this.sortedSlots = Int32Array.from(order, (i) => slots[i]!);
    this.tailValues.length = 0;
    this.tailSlots.length = 0;
  }
}
