import type { Metadata } from '@ragloom/core';
import { EMPTY_METADATA } from './stored-metadata.js';

/**
 * The records of an index, per graph slot: id, text and (frozen) metadata, and id → slot. Slots
 * of deleted records hold no id. Observers (the payload index) hear of every metadata stored,
 * so they stay complete without rescanning, and whether it replaced a live record's metadata.
 */
export class RecordStore {
  private ids: (string | undefined)[];
  private texts: string[];
  private metadataOf: Metadata[];
  private readonly slots: Map<string, number>;
  private readonly observers: ((slot: number, metadata: Metadata, replaced: boolean) => void)[] = [];

  constructor(
    ids: (string | undefined)[] = [],
    texts: string[] = [],
    metadata: Metadata[] = [],
    slotOf: Map<string, number> = new Map(),
  ) {
    this.ids = ids;
    this.texts = texts;
    this.metadataOf = metadata;
    this.slots = slotOf;
  }

  /**
   * Calls `observer` for every metadata stored from now on: a slot's new record (`replaced`
   * false) or new metadata for the record a slot holds (`replaced` true).
   */
  observe(observer: (slot: number, metadata: Metadata, replaced: boolean) => void): void {
    this.observers.push(observer);
  }

  get count(): number {
    return this.slots.size;
  }

  slotOf(id: string): number | undefined {
    return this.slots.get(id);
  }

  idOf(slot: number): string | undefined {
    return this.ids[slot];
  }

  textOf(slot: number): string {
    return this.texts[slot] ?? '';
  }

  metadataAt(slot: number): Metadata {
    return this.metadataOf[slot] ?? EMPTY_METADATA;
  }

  /** The per-slot metadata column (read-only use: filters evaluate over it). */
  metadataColumn(): readonly Metadata[] {
    return this.metadataOf;
  }

  /** Ids of the live records, in slot order. */
  liveIds(): string[] {
    return this.ids.filter((id): id is string => id !== undefined);
  }

  /** Stores a record at `slot` (a new slot, or one whose record is replaced). */
  set(slot: number, id: string, text: string, metadata: Metadata): void {
    this.ids[slot] = id;
    this.texts[slot] = text;
    this.metadataOf[slot] = metadata;
    this.slots.set(id, slot);
    for (const observer of this.observers) observer(slot, metadata, false);
  }

  /** New text and metadata for the record at `slot` (same id, same vector). */
  update(slot: number, text: string, metadata: Metadata): void {
    this.texts[slot] = text;
    this.metadataOf[slot] = metadata;
    for (const observer of this.observers) observer(slot, metadata, true);
  }

  /** Forgets the record at `slot` (deleted or replaced by a new slot). */
  clear(slot: number): void {
    const id = this.ids[slot];
    if (id !== undefined && this.slots.get(id) === slot) this.slots.delete(id);
    this.ids[slot] = undefined;
    this.texts[slot] = '';
    this.metadataOf[slot] = EMPTY_METADATA;
  }

  /** Renumbers after a compaction: `map[old]` is the new slot, -1 for dropped ones; `size` slots remain. */
  renumber(map: Int32Array, size: number): void {
    const ids: (string | undefined)[] = new Array(size);
    const texts: string[] = new Array(size);
    const metadata: Metadata[] = new Array(size);
    for (let old = 0; old < map.length; old++) {
      const slot = map[old]!;
      if (slot < 0) continue;
      const id = this.ids[old];
      ids[slot] = id;
      texts[slot] = this.texts[old] ?? '';
      metadata[slot] = this.metadataOf[old] ?? EMPTY_METADATA;
      if (id !== undefined) this.slots.set(id, slot);
    }
    this.ids = ids;
    this.texts = texts;
    this.metadataOf = metadata;
  }

  /** The columns of slots [0, size), as the index file stores them. */
  columns(size: number): {
    ids: readonly (string | undefined)[];
    texts: readonly string[];
    metadata: readonly Metadata[];
  } {
    const cut = <T>(column: T[]) => (column.length === size ? column : column.slice(0, size));
    return { ids: cut(this.ids), texts: cut(this.texts), metadata: cut(this.metadataOf) };
  }
}
