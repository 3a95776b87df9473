import {
  abortError,
  compileFilterNode,
  type FilterNode,
  type MetadataPredicate,
  parseFilter,
  type RetrieverRecord,
  throwIfAborted,
} from '@ragloom/core';
import { type DeleteTarget, yieldToEventLoop } from '@ragloom/core/adapter';
import { compactIndex, compactionDue } from './compaction.js';
import type { HnswOperationOptions, ResolvedRuntimeOptions } from './hnsw-options.js';
import { type IndexState, liveSlots } from './index-state.js';
import { YIELD_EVERY_MS } from './mutation-queue.js';
import type { LinkerPool, ParallelLinker } from './parallel-linker.js';
import { freezeMetadata } from './stored-metadata.js';

/** Records inserted between two checks of the clock (to yield to the event loop and report progress). */
const INSERT_BATCH = 32;
/** New vectors from which an upsert links on builder threads (below, starting them costs more than it saves). */
export const PARALLEL_MIN_BATCH = 1024;

const now = () => performance.now();
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A record of the batch to insert, with its checked vector and frozen metadata. */
interface Insert {
  readonly record: RetrieverRecord;
  readonly vector: Float32Array;
}

/** Removes the record at `slot` (a tombstone in the graph; the record forgotten). */
function tombstone(state: IndexState, slot: number): void {
  state.graph.markDeleted(slot);
  state.records.clear(slot);
}

/** Stores a record at a fresh, linked slot (replacing the id's previous slot, if any). */
function storeRecord(state: IndexState, slot: number, record: RetrieverRecord): void {
  const previous = state.records.slotOf(record.id);
  if (previous !== undefined && previous !== slot) tombstone(state, previous);
  state.records.set(slot, record.id, record.text, freezeMetadata(record.metadata));
}

function sameVector(stored: Float32Array, vector: Float32Array): boolean {
  for (let j = 0; j < vector.length; j++) if (!Object.is(stored[j], vector[j])) return false;
  return true;
}

/**
 * Upserts checked records (one at a time, under the mutation queue). Each record switches from
 * its old state to its new one in one synchronous step, so a search running between steps sees
 * it before or after, never torn. Within the batch the last record with an id wins; a record
 * whose vector is unchanged only gets its new text and metadata. Large batches link on builder
 * threads when the runtime has them (`buildThreads`), with the same progress and abort behaviour.
 */
export async function upsertRecords(
  state: IndexState,
  records: readonly RetrieverRecord[],
  vectors: readonly Float32Array[],
  linkers: LinkerPool,
  options: HnswOperationOptions | undefined,
): Promise<{ linkedInParallel: number }> {
  const last = new Map<string, number>();
  records.forEach((r, i) => {
    last.set(r.id, i);
  });
  const progress = { completed: 0, parallel: 0 };
  const report = () =>
    options?.onProgress?.({ phase: 'insert', completed: progress.completed, total: last.size });
  const inserts: Insert[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (last.get(record.id) !== i) continue;
    const existing = state.records.slotOf(record.id);
    if (existing !== undefined && sameVector(state.vectors.get(existing), vectors[i]!)) {
      // Same vector: only text and metadata change, the graph stays as it is.
      state.records.update(existing, record.text, freezeMetadata(record.metadata));
      progress.completed++;
      continue;
    }
    inserts.push({ record, vector: vectors[i]! });
  }
  try {
    const linker =
      inserts.length >= PARALLEL_MIN_BATCH && state.vectors.kernel?.sharedHandle() && state.graph.shared
        ? await linkers.acquire()
        : null;
    if (linker === null) await insertOnThisThread(state, inserts, progress, report, options?.signal);
    else {
      try {
        await insertInParallel(state, inserts, linker, progress, report, options?.signal);
      } finally {
        linkers.release();
      }
    }
  } finally {
    state.graph.fixEntryPoint();
    // Codes for every slot (trained on first need, retrained as the index doubles early on).
    state.vectors.trainIfDue(state.graph.size, () => liveSlots(state.graph));
  }
  report();
  return { linkedInParallel: progress.parallel };
}

/** Inserts one record at a time on this thread, yielding every few milliseconds. */
async function insertOnThisThread(
  state: IndexState,
  inserts: readonly Insert[],
  progress: { completed: number },
  report: () => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { graph, vectors } = state;
  let lastYield = now();
  for (let i = 0; i < inserts.length; i++) {
    const { record, vector } = inserts[i]!;
    const previous = state.records.slotOf(record.id);
    if (previous !== undefined) tombstone(state, previous);
    vectors.ensureCapacity(graph.size + 1);
    const slot = graph.allocateSlot(graph.randomLevel());
    vectors.set(slot, vector);
    graph.insert(slot);
    storeRecord(state, slot, record);
    progress.completed++;
    if (progress.completed % INSERT_BATCH === 0 && now() - lastYield > YIELD_EVERY_MS) {
      report();
      await yieldToEventLoop();
      throwIfAborted(signal, 'upsert');
      lastYield = now();
    }
  }
}

/**
 * Links the batch on builder threads: this thread reserves the slots (levels drawn in order from
 * the seeded generator, vectors stored) as pending, the builders link them concurrently, and this
 * thread publishes each record — replacing its previous slot — as soon as it and all before it
 * are linked. An abort lets the builders finish the records they hold; the records never taken
 * give their slots back.
 */
async function insertInParallel(
  state: IndexState,
  inserts: readonly Insert[],
  linker: ParallelLinker,
  progress: { completed: number; parallel: number },
  report: () => void,
  signal: AbortSignal | undefined,
): Promise<void> {
  const { graph, vectors } = state;
  let items = inserts;
  if (graph.entryPoint < 0 || graph.size === graph.deletedCount) {
    // The first node of an empty graph is the entry point: no walk to link it with.
    await insertOnThisThread(state, inserts.slice(0, 1), progress, report, signal);
    items = inserts.slice(1);
  }
  const count = items.length;
  const first = graph.size;
  vectors.ensureCapacity(first + count);
  graph.ensureCapacity(first + count);
  const randomStates = new Int32Array(count + 1);
  let lastYield = now();
  for (let j = 0; j < count; j++) {
    randomStates[j] = graph.randomState;
    const slot = graph.allocateSlot(graph.randomLevel(), true);
    vectors.set(slot, items[j]!.vector);
    if (now() - lastYield > YIELD_EVERY_MS) {
      await yieldToEventLoop();
      if (signal?.aborted) {
        graph.discardFrom(first, randomStates[0]!);
        throw abortError(signal, 'upsert');
      }
      lastYield = now();
    }
  }
  randomStates[count] = graph.randomState;
  const kernel = vectors.kernel!.sharedHandle()!;
  const run = linker.start({ graph: graph.sharedMemory(), kernel, first, count });
  let published = 0;
  const publishReady = () => {
    while (published < count && Atomics.load(run.done, published) === 1) {
      graph.publish(first + published);
      storeRecord(state, first + published, items[published]!.record);
      published++;
      progress.completed++;
      progress.parallel++;
    }
  };
  let settled = false;
  let failure: unknown;
  run.finished.then(
    () => {
      settled = true;
    },
    (error: unknown) => {
      failure = error;
      settled = true;
    },
  );
  let aborted = false;
  while (!settled) {
    await sleep(YIELD_EVERY_MS);
    publishReady();
    report();
    if (signal?.aborted && !aborted) {
      aborted = true;
      run.abort();
    }
  }
  publishReady();
  const taken = run.taken();
  const unfinished: Insert[] = [];
  for (let j = published; j < taken; j++) {
    // Only after a builder failed: publish what was linked; what it left half-linked becomes a
    // tombstone (other nodes may already point at it) and is inserted again below.
    if (Atomics.load(run.done, j) === 1) {
      graph.publish(first + j);
      storeRecord(state, first + j, items[j]!.record);
      progress.completed++;
      progress.parallel++;
    } else {
      graph.markDeleted(first + j);
      unfinished.push(items[j]!);
    }
  }
  if (taken < count) {
    graph.discardFrom(first + taken, randomStates[taken]!);
    if (!aborted) unfinished.push(...items.slice(taken));
  }
  if (aborted) throw abortError(signal, 'upsert');
  // A builder thread failed (out of memory, a worker that could not start): finish here.
  if (failure !== undefined) await insertOnThisThread(state, unfinished, progress, report, signal);
}

/** The live slots matching a filter (through the payload index when it can narrow them). */
export function matchingSlots(state: IndexState, filter: FilterNode): number[] {
  const { graph, records, payload } = state;
  const predicate: MetadataPredicate | null = filter.type === 'all' ? null : compileFilterNode(filter);
  const planned = predicate === null ? null : payload.candidates(filter);
  const candidates = planned?.slots ?? null;
  const check = planned?.exact ? null : predicate;
  const out: number[] = [];
  const seen = candidates === null ? null : new Set<number>();
  const total = candidates === null ? graph.size : candidates.length;
  for (let i = 0; i < total; i++) {
    const slot = candidates === null ? i : candidates[i]!;
    if (!graph.isLive(slot)) continue;
    if (seen !== null) {
      if (seen.has(slot)) continue;
      seen.add(slot);
    }
    if (check === null || check(records.metadataAt(slot))) out.push(slot);
  }
  return out;
}

/** Deletes synchronously (every record goes at once), then compacts when tombstones are due. */
export async function deleteRecords(
  state: IndexState,
  target: DeleteTarget,
  runtime: ResolvedRuntimeOptions,
  options: HnswOperationOptions | undefined,
): Promise<number> {
  let deleted = 0;
  if (target.kind === 'ids') {
    for (const id of target.ids) {
      const slot = state.records.slotOf(id);
      if (slot === undefined) continue;
      tombstone(state, slot);
      deleted++;
    }
  } else {
    for (const slot of matchingSlots(state, parseFilter(target.filter))) {
      tombstone(state, slot);
      deleted++;
    }
  }
  state.graph.fixEntryPoint();
  await compactIfDue(state, runtime, options);
  return deleted;
}

export async function compactIfDue(
  state: IndexState,
  runtime: ResolvedRuntimeOptions,
  options: HnswOperationOptions | undefined,
): Promise<void> {
  if (compactionDue(state, runtime.compactionThreshold)) await compactIndex(state, options);
}
