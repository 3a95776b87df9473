import {
  compareHits,
  compileFilterNode,
  crc32,
  type DeleteSelector,
  type DenseIndexManifest,
  type Filter,
  type Metadata,
  type MetadataPredicate,
  parseFilter,
  RagloomError,
  type RetrieverCapabilities,
  type RetrieverRecord,
  type RetrieverV1,
  type SearchHit,
  type SearchRequest,
  throwIfAborted,
  validateRecords,
  validateSearchRequest,
} from '@ragloom/core';
import { createExactSearchScratch, exactSearchCandidates, inclusionLimit } from './exact-search.js';
import { HnswGraph } from './hnsw-graph.js';
import {
  checkInteger,
  checkMetric,
  DEFAULTS,
  type HnswOperationOptions,
  type HnswRetrieverOptions,
  LIMITS,
  type ResolvedRuntimeOptions,
  resolveRuntimeOptions,
} from './hnsw-options.js';
import { encodeIndexFile, type IndexContents } from './index-file-format.js';
import { createVectorKernel } from './select-kernel.js';
import { EMPTY_METADATA, freezeMetadata } from './stored-metadata.js';
import type { VectorKernel } from './vector-kernel.js';

/** A search request with an optional per-query beam width. */
export interface HnswSearchRequest extends SearchRequest {
  /** Beam width for this query (default: the index's `ef`); never narrower than k. */
  readonly ef?: number;
}

export interface HnswIndexStats {
  /** Live records. */
  readonly count: number;
  /** Deleted records still held as tombstones (until compaction). */
  readonly tombstones: number;
  /** Slots the storage has room for before it grows. */
  readonly capacity: number;
  /** The highest level of the graph (-1 when empty). */
  readonly maxLevel: number;
  readonly M: number;
  readonly efConstruction: number;
  readonly ef: number;
  /** Which distance kernel runs: 'wasm-simd' or 'js'. */
  readonly kernel: 'wasm-simd' | 'js';
}

/** The HNSW index: a RetrieverV1 with persistence, compaction and per-query `ef`. */
export interface HnswRetriever extends RetrieverV1 {
  readonly provider: 'hnsw';
  readonly manifest: DenseIndexManifest;
  /**
   * The index's file, where `save()` writes. Undefined for an index without one: it is not
   * persistent (`capabilities.persistent` is false) and has no `save()`.
   */
  readonly path: string | undefined;
  upsert(records: readonly RetrieverRecord[], options?: HnswOperationOptions): Promise<void>;
  delete(selector: DeleteSelector, options?: HnswOperationOptions): Promise<{ deleted: number }>;
  search(request: HnswSearchRequest): Promise<SearchHit[]>;
  scan(options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<RetrieverRecord[]>;
  /**
   * Writes the index to its file, atomically; given a `path`, there instead, which becomes its file.
   * Present only when the index has a file (`capabilities.persistent`).
   */
  save?(path?: string, options?: HnswOperationOptions): Promise<void>;
  /** Writes the index file (what `save` writes) to `path`, atomically, without making it the index's file. */
  writeFile(path: string, options?: HnswOperationOptions): Promise<void>;
  /** The index as index-file bytes (what `save` writes), e.g. to keep it in IndexedDB. */
  toBytes(): Uint8Array;
  /**
   * Repairs the links around deleted records and drops them now (it otherwise happens when
   * tombstones reach `compactionThreshold`). Resolves to the number of tombstones removed.
   */
  compact(options?: HnswOperationOptions): Promise<{ removed: number }>;
  stats(): HnswIndexStats;
  /** Releases the memory; later calls fail. Does not save. */
  close(): Promise<void>;
}

/** An HNSW index with a file (created or loaded with a `path`): persistent, with `save()`. */
export interface PersistentHnswRetriever extends HnswRetriever {
  readonly path: string;
  save(path?: string, options?: HnswOperationOptions): Promise<void>;
}

/** Narrows an index to one with a file (what `path` at creation or loading gives). */
export function isPersistentHnswRetriever(index: HnswRetriever): index is PersistentHnswRetriever {
  return index.capabilities.persistent && typeof index.save === 'function' && index.path !== undefined;
}

/** float32 arithmetic overflows beyond this; such vectors would make distances infinite. */
const MAX_COMPONENT = 1e16;
/** Records inserted between two checks of the clock (to yield to the event loop and report progress). */
const INSERT_BATCH = 32;
const YIELD_EVERY_MS = 25;

/** Rejects components float32 arithmetic would overflow on; returns ‖vector‖ (one pass for both). */
function checkMagnitude(vector: Float32Array, what: string): number {
  let squared = 0;
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i]!;
    if (x > MAX_COMPONENT || x < -MAX_COMPONENT) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `${what}[${i}] is ${x}; components beyond ±1e16 overflow float32 distance arithmetic`,
        { details: { what, index: i } },
      );
    }
    squared += x * x;
  }
  return Math.sqrt(squared);
}

const now = () => performance.now();

/** Lets other work run (searches, I/O) during long operations. */
function yieldToEventLoop(): Promise<void> {
  const immediate = (globalThis as { setImmediate?: (fn: () => void) => unknown }).setImmediate;
  return new Promise((resolve) => (immediate ? immediate(resolve) : setTimeout(resolve, 0)));
}

/** A predicate for the filter, or null when it matches everything (`undefined`, `{}`). */
function filterPredicate(filter: Filter | undefined): MetadataPredicate | null {
  const node = parseFilter(filter);
  return node.type === 'all' ? null : compileFilterNode(node);
}

/** What an open index holds (shared with the loader). */
export interface IndexState {
  graph: HnswGraph;
  kernel: VectorKernel;
  /** Per slot; undefined for tombstones. */
  ids: (string | undefined)[];
  texts: string[];
  metadata: Metadata[];
  slotOf: Map<string, number>;
}

export interface GraphParams {
  readonly M: number;
  readonly efConstruction: number;
  readonly seed: number;
}

/**
 * A new, empty HNSW index. Vectors are checked like every ragloom retriever checks them
 * (`DIMENSION_MISMATCH`, `INVALID_ARGUMENT`); the manifest (`encoderModelId`, `dimension`,
 * `metric`) is stored with the index and a query naming another encoder is `MANIFEST_MISMATCH`.
 */
export function createHnswRetriever(
  options: HnswRetrieverOptions & { readonly path: string },
): PersistentHnswRetriever;
export function createHnswRetriever(options: HnswRetrieverOptions): HnswRetriever;
export function createHnswRetriever(options: HnswRetrieverOptions): HnswRetriever {
  if (typeof options !== 'object' || options === null) {
    throw new RagloomError('INVALID_ARGUMENT', 'createHnswRetriever needs an options object');
  }
  if (typeof options.encoderModelId !== 'string') {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'encoderModelId must be a string (the encoder the vectors come from)',
    );
  }
  const dimension = checkInteger(options.dimension, 'dimension', 1, LIMITS.dimension);
  const metric = checkMetric(options.metric ?? DEFAULTS.metric);
  const params: GraphParams = {
    M: checkInteger(options.M ?? DEFAULTS.M, 'M', 2, LIMITS.M),
    efConstruction: checkInteger(
      options.efConstruction ?? DEFAULTS.efConstruction,
      'efConstruction',
      1,
      LIMITS.efConstruction,
    ),
    seed: checkInteger(options.seed ?? DEFAULTS.seed, 'seed', 0, 2 ** 31 - 1),
  };
  const initialCapacity = checkInteger(options.initialCapacity ?? 1024, 'initialCapacity', 1, 2 ** 31 - 1);
  const runtime = resolveRuntimeOptions(options);
  const manifest: DenseIndexManifest = {
    kind: 'dense',
    encoderModelId: options.encoderModelId,
    dimension,
    metric,
  };
  const kernel = createVectorKernel(runtime.kernel, dimension, metric, initialCapacity);
  const graph = new HnswGraph(kernel, params, initialCapacity);
  return buildRetriever(manifest, params, runtime, {
    graph,
    kernel,
    ids: [],
    texts: [],
    metadata: [],
    slotOf: new Map(),
  });
}

/** The retriever over an index state (new, or loaded by load-hnsw-retriever.ts). */
export function buildRetriever(
  manifest: DenseIndexManifest,
  params: GraphParams,
  runtime: ResolvedRuntimeOptions,
  initial: IndexState,
): HnswRetriever {
  let state: IndexState | undefined = initial;
  const dimension = manifest.dimension;
  const metric = manifest.metric;
  let savePath = runtime.path;

  /** Mutations (upsert, delete, compact, save, close) run one at a time; searches run between their steps. */
  let tail: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };

  const open = (): IndexState => {
    if (state === undefined) throw new RagloomError('INVALID_ARGUMENT', 'this HNSW index was closed');
    return state;
  };

  const scratch = createExactSearchScratch();

  const tombstone = (s: IndexState, slot: number) => {
    s.graph.markDeleted(slot);
    const id = s.ids[slot];
    if (id !== undefined) s.slotOf.delete(id);
    s.ids[slot] = undefined;
    s.texts[slot] = '';
    s.metadata[slot] = EMPTY_METADATA;
  };

  /** Scores `slots` exactly (as core's similarity() does) and returns the best k as hits, in contract order. */
  const finish = (s: IndexState, slots: Int32Array, count: number, k: number): SearchHit[] => {
    const { kernel } = s;
    const batchSlots = kernel.batchSlots;
    const scores = kernel.batchScores;
    const hits: SearchHit[] = new Array(count);
    for (let start = 0; start < count; start += kernel.batchLimit) {
      const n = Math.min(kernel.batchLimit, count - start);
      batchSlots.set(slots.subarray(start, start + n));
      kernel.exactScores(n);
      for (let i = 0; i < n; i++) {
        const slot = batchSlots[i]!;
        hits[start + i] = {
          id: s.ids[slot]!,
          score: scores[i]!,
          text: s.texts[slot]!,
          metadata: s.metadata[slot]!,
        };
      }
    }
    hits.sort(compareHits);
    if (hits.length > k) hits.length = k;
    return hits;
  };

  /** Exact search over the live records the predicate accepts (see exactSearchCandidates). */
  const exactSearch = (s: IndexState, k: number, predicate: MetadataPredicate | null, queryNorm: number) => {
    const count = exactSearchCandidates(s.graph, s.kernel, s.metadata, predicate, k, queryNorm, scratch);
    return finish(s, scratch.slots, count, k);
  };

  const estimateMatches = (s: IndexState, predicate: MetadataPredicate): number => {
    const { graph } = s;
    const size = graph.size;
    const sample = Math.min(size, 512);
    const step = size / sample;
    let checked = 0;
    let matched = 0;
    for (let i = 0; i < sample; i++) {
      const slot = Math.floor(i * step);
      if (graph.deleted[slot] !== 0) continue;
      checked++;
      if (predicate(s.metadata[slot])) matched++;
    }
    return checked === 0 ? 0 : (matched / checked) * graph.liveCount;
  };

  const search = async (request: HnswSearchRequest): Promise<SearchHit[]> => {
    const s = open();
    throwIfAborted((request as { signal?: AbortSignal } | undefined)?.signal, 'search');
    const query = validateSearchRequest(request, manifest)!;
    const queryNorm = checkMagnitude(query, 'query vector');
    const ef = request.ef === undefined ? runtime.ef : checkInteger(request.ef, 'ef', 1, LIMITS.ef);
    const predicate = filterPredicate(request.filter);
    const { graph, kernel } = s;
    const live = graph.liveCount;
    if (live === 0) return [];
    const k = request.k;
    kernel.setQuery(query);

    const threshold = runtime.exactSearchThreshold;
    if (live <= threshold || k >= live) return exactSearch(s, k, predicate, queryNorm);
    if (predicate !== null && estimateMatches(s, predicate) <= threshold) {
      return exactSearch(s, k, predicate, queryNorm);
    }
    const metadata = s.metadata;
    const accept = predicate === null ? null : (slot: number) => predicate(metadata[slot]);
    const found = graph.search(k, ef, accept);
    // Fewer than k: the filter (or tombstones) cut the walk short — the exact scan is the truth.
    if (found < k) return exactSearch(s, k, predicate, queryNorm);
    // Rescore exactly everything within the error bound of the k-th walk distance, so that
    // near-ties are ordered by exact score and id as everywhere else.
    const keys = graph.resultKeys;
    let maxNorm = 0;
    for (let i = 0; i < found; i++) {
      const inv = kernel.inverseNorm(graph.resultSlots[i]!);
      if (inv > 0) maxNorm = Math.max(maxNorm, 1 / inv);
    }
    const limitDistance = inclusionLimit(metric, dimension, keys[k - 1]!, queryNorm, maxNorm);
    let count = k;
    while (count < found && keys[count]! <= limitDistance) count++;
    return finish(s, graph.resultSlots, count, k);
  };

  const maybeCompact = async (s: IndexState, options: HnswOperationOptions | undefined) => {
    const { graph } = s;
    if (graph.deletedCount > 0 && graph.deletedCount >= runtime.compactionThreshold * graph.size) {
      await compactNow(s, options);
    }
  };

  const compactNow = async (s: IndexState, options: HnswOperationOptions | undefined): Promise<number> => {
    const { graph } = s;
    const removed = graph.deletedCount;
    if (removed === 0) return 0;
    const size = graph.size;
    const report = (phase: string, completed: number, total: number) =>
      options?.onProgress?.({ phase, completed, total });
    let lastYield = now();
    const chunk = 256;
    for (let from = 0; from < size; from += chunk) {
      graph.repairRange(from, Math.min(size, from + chunk));
      if (now() - lastYield > YIELD_EVERY_MS) {
        report('repair', Math.min(size, from + chunk), size);
        await yieldToEventLoop();
        lastYield = now();
      }
    }
    report('repair', size, size);
    // Renumbering is one synchronous step: searches never see half-moved slots.
    const map = graph.compact();
    const ids: (string | undefined)[] = new Array(graph.size);
    const texts: string[] = new Array(graph.size);
    const metadata: Metadata[] = new Array(graph.size);
    for (let old = 0; old < map.length; old++) {
      const slot = map[old]!;
      if (slot < 0) continue;
      ids[slot] = s.ids[old];
      texts[slot] = s.texts[old]!;
      metadata[slot] = s.metadata[old]!;
      s.slotOf.set(s.ids[old]!, slot);
    }
    s.ids = ids;
    s.texts = texts;
    s.metadata = metadata;
    report('compact', 1, 1);
    return removed;
  };

  const upsert = async (records: readonly RetrieverRecord[], options?: HnswOperationOptions) => {
    open();
    throwIfAborted(options?.signal, 'upsert');
    const { vectors } = validateRecords(records, manifest);
    vectors!.forEach((v, i) => {
      checkMagnitude(v, `records[${i}].vector (id "${records[i]!.id}")`);
    });
    await exclusive(async () => {
      const s = open();
      const { graph, kernel } = s;
      // Within one batch the last record with an id wins.
      const last = new Map<string, number>();
      records.forEach((r, i) => {
        last.set(r.id, i);
      });
      const total = last.size;
      let completed = 0;
      let lastYield = now();
      const signal = options?.signal;
      try {
        for (let i = 0; i < records.length; i++) {
          const record = records[i]!;
          if (last.get(record.id) !== i) continue;
          const vector = vectors![i]!;
          const metadata = freezeMetadata(record.metadata);
          const existing = s.slotOf.get(record.id);
          if (existing !== undefined) {
            const stored = kernel.get(existing);
            let same = true;
            for (let j = 0; j < dimension && same; j++) same = Object.is(stored[j], vector[j]);
            if (same) {
              // Same vector: only text and metadata change, the graph stays as it is.
              s.texts[existing] = record.text;
              s.metadata[existing] = metadata;
              completed++;
              continue;
            }
            tombstone(s, existing);
          }
          const slot = graph.allocateSlot(graph.randomLevel());
          kernel.set(slot, vector);
          graph.insert(slot);
          s.ids[slot] = record.id;
          s.texts[slot] = record.text;
          s.metadata[slot] = metadata;
          s.slotOf.set(record.id, slot);
          completed++;
          if (completed % INSERT_BATCH === 0 && now() - lastYield > YIELD_EVERY_MS) {
            options?.onProgress?.({ phase: 'insert', completed, total });
            await yieldToEventLoop();
            throwIfAborted(signal, 'upsert');
            lastYield = now();
          }
        }
      } finally {
        graph.fixEntryPoint();
      }
      options?.onProgress?.({ phase: 'insert', completed, total });
      await maybeCompact(s, options);
    });
  };

  const remove = async (selector: DeleteSelector, options?: HnswOperationOptions) => {
    open();
    if (typeof selector !== 'object' || selector === null) {
      throw new RagloomError('INVALID_ARGUMENT', 'delete expects { ids: string[] } or { filter }');
    }
    let ids: readonly string[] | undefined;
    let predicate: MetadataPredicate | null = null;
    if ('ids' in selector) {
      if (!Array.isArray(selector.ids) || !selector.ids.every((id) => typeof id === 'string')) {
        throw new RagloomError('INVALID_ARGUMENT', 'delete({ ids }) expects an array of string ids');
      }
      ids = selector.ids;
    } else if ('filter' in selector) {
      predicate = filterPredicate(selector.filter) ?? (() => true);
    } else {
      throw new RagloomError('INVALID_ARGUMENT', 'delete expects { ids: string[] } or { filter }');
    }
    return exclusive(async () => {
      const s = open();
      let deleted = 0;
      if (ids !== undefined) {
        for (const id of ids) {
          const slot = s.slotOf.get(id);
          if (slot === undefined) continue;
          tombstone(s, slot);
          deleted++;
        }
      } else {
        for (let slot = 0; slot < s.graph.size; slot++) {
          if (s.graph.deleted[slot] === 0 && predicate!(s.metadata[slot])) {
            tombstone(s, slot);
            deleted++;
          }
        }
      }
      s.graph.fixEntryPoint();
      await maybeCompact(s, options);
      return { deleted };
    });
  };

  const contents = (s: IndexState): IndexContents => {
    const { graph, kernel } = s;
    const size = graph.size;
    return {
      manifest,
      params,
      graph: {
        slots: size,
        live: graph.liveCount,
        entryPoint: graph.entryPoint,
        maxLevel: graph.maxLevel,
        randomState: graph.randomState,
        upperLinksLength: graph.upperUsed,
      },
      vectors: kernel.exportVectors(size),
      levels: graph.levels.subarray(0, size),
      deleted: graph.deleted.subarray(0, size),
      links0: graph.links0.subarray(0, size * graph.stride0),
      upperOffsets: graph.upperOffsets.subarray(0, size),
      upperLinks: graph.upperLinks.subarray(0, graph.upperUsed),
      ids: s.ids.length === size ? s.ids : s.ids.slice(0, size),
      texts: s.texts.length === size ? s.texts : s.texts.slice(0, size),
      metadata: s.metadata.length === size ? s.metadata : s.metadata.slice(0, size),
    };
  };

  // Persistent when it has a file; one without a file has no save() (its bytes: toBytes, writeFile).
  const capabilities: RetrieverCapabilities = {
    query: 'vector',
    scan: true,
    persistent: savePath !== undefined,
  };

  const writeIndexFile = async (s: IndexState, target: string, options?: HnswOperationOptions) => {
    throwIfAborted(options?.signal, 'save');
    const { writeChunksAtomic } = await import('./index-file-io.js');
    options?.onProgress?.({ phase: 'encode', completed: 0, total: 1 });
    const chunks = encodeIndexFile(contents(s), crc32);
    await writeChunksAtomic(target, chunks, (written, total) =>
      options?.onProgress?.({ phase: 'write', completed: written, total }),
    );
  };

  const save = (path?: string, options?: HnswOperationOptions) =>
    exclusive(async () => {
      const target = path ?? savePath;
      if (typeof target !== 'string' || target.length === 0) {
        throw new RagloomError('INVALID_ARGUMENT', 'save(path) needs a file path');
      }
      await writeIndexFile(open(), target, options);
      savePath = target;
    });

  const retriever: HnswRetriever = {
    specificationVersion: 'v1',
    provider: 'hnsw',
    manifest,
    capabilities,
    get path() {
      return savePath;
    },
    ...(capabilities.persistent ? { save } : {}),
    upsert,
    delete: remove,
    search,

    async count(filter?: Filter) {
      const s = open();
      const predicate = filterPredicate(filter);
      if (predicate === null) return s.graph.liveCount;
      let n = 0;
      for (let slot = 0; slot < s.graph.size; slot++) {
        if (s.graph.deleted[slot] === 0 && predicate(s.metadata[slot])) n++;
      }
      return n;
    },

    async *scan(options?: { batchSize?: number; signal?: AbortSignal }) {
      const batchSize = checkInteger(options?.batchSize ?? 1000, 'batchSize', 1, Number.MAX_SAFE_INTEGER);
      // Ids, not slots: a compaction between pages renumbers slots but not ids.
      const snapshot = open().ids.filter((id): id is string => id !== undefined);
      for (let start = 0; start < snapshot.length; start += batchSize) {
        throwIfAborted(options?.signal, 'scan');
        const s = open();
        const page: RetrieverRecord[] = [];
        for (const id of snapshot.slice(start, start + batchSize)) {
          const slot = s.slotOf.get(id);
          if (slot === undefined) continue; // deleted since the scan began
          page.push({ id, text: s.texts[slot]!, metadata: s.metadata[slot]!, vector: s.kernel.get(slot) });
        }
        if (page.length > 0) yield page;
      }
    },

    writeFile(path: string, options?: HnswOperationOptions) {
      if (typeof path !== 'string' || path.length === 0) {
        return Promise.reject(new RagloomError('INVALID_ARGUMENT', 'writeFile needs a file path'));
      }
      return exclusive(() => writeIndexFile(open(), path, options));
    },

    toBytes() {
      const chunks = encodeIndexFile(contents(open()), crc32);
      const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
      let offset = 0;
      for (const c of chunks) {
        out.set(c, offset);
        offset += c.byteLength;
      }
      return out;
    },

    compact(options?: HnswOperationOptions) {
      return exclusive(async () => ({ removed: await compactNow(open(), options) }));
    },

    stats(): HnswIndexStats {
      const { graph, kernel } = open();
      return {
        count: graph.liveCount,
        tombstones: graph.deletedCount,
        capacity: graph.capacity,
        maxLevel: graph.maxLevel,
        M: params.M,
        efConstruction: params.efConstruction,
        ef: runtime.ef,
        kernel: kernel.name,
      };
    },

    close() {
      return exclusive(async () => {
        state = undefined;
        scratch.slots = new Int32Array(0);
        scratch.distances = new Float64Array(0);
      });
    },
  };
  return retriever;
}
