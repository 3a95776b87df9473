import {
  crc32,
  type DeleteSelector,
  type DenseIndexManifest,
  type Filter,
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
import { parseDeleteSelector } from '@ragloom/core/adapter';
import { compactIndex } from './compaction.js';
import { createExactSearchScratch } from './exact-search.js';
import { FileFloatVectors } from './file-float-vectors.js';
import { HnswGraph, type HnswGraphParams } from './hnsw-graph.js';
import {
  type HnswOperationOptions,
  type HnswRetrieverOptions,
  LIMITS,
  parseRetrieverOptions,
  type ResolvedRuntimeOptions,
  runtimeOf,
} from './hnsw-options.js';
import { indexFileContents } from './index-encoding.js';
import { concatenate, encodeIndexFile } from './index-file-format.js';
import { createIndexState, type IndexState } from './index-state.js';
import { createMutationQueue } from './mutation-queue.js';
import { compactIfDue, deleteRecords, matchingSlots, upsertRecords } from './mutations.js';
import { LinkerPool } from './parallel-linker.js';
import type { Quantization } from './quantizer.js';
import { RecordStore } from './record-store.js';
import { planAndSearch, type SearchPath } from './search-plan.js';
import { createVectorKernel } from './select-kernel.js';
import { VectorStore } from './vector-store.js';

/** A search request with an optional per-query beam width. */
export interface HnswSearchRequest extends SearchRequest {
  /** Beam width for this query (default: the index's `ef`); never narrower than k. */
  readonly ef?: number;
  /**
   * true: answer by an exact scan of the (filtered) records whatever their number, as Qdrant's
   * `exact` search parameter (quantized indexes whose floats are in the file scan the codes and
   * rescore the best).
   */
  readonly exact?: boolean;
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
  /** The configured beam width, or 'auto' (adapts to k). */
  readonly ef: number | 'auto';
  /** Which distance kernel runs: 'wasm-simd' or 'js'. */
  readonly kernel: 'wasm-simd' | 'js';
  readonly quantization: Quantization;
  /** Where the float vectors are: in memory, or read from the index file. */
  readonly floatVectors: 'memory' | 'file';
  /** Whether upserts can link on builder threads (shared memory), and how many were asked for. */
  readonly buildThreads: number | 'auto';
  readonly parallelBuild: boolean;
  /** Records linked on builder threads so far (by this open index). */
  readonly linkedInParallel: number;
  /** Metadata fields the payload index has indexed (built on first use by a filter). */
  readonly indexedFields: readonly string[];
  /** How the searches so far were answered. */
  readonly searches: Readonly<Record<SearchPath, number>>;
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
  /** Releases the memory (and the index file, when float vectors are read from it); later calls fail. Does not save. */
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

/** Graph parameters as stored in the file, plus the quantization. */
export interface IndexParams extends HnswGraphParams {
  readonly quantization: Quantization;
}

/** Whether this runtime can link on builder threads (decides whether memory is allocated shared). */
export function parallelBuildPossible(buildThreads: number | 'auto'): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return buildThreads !== 1 && versions?.node !== undefined && typeof SharedArrayBuffer === 'function';
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
  const parsed = parseRetrieverOptions(options);
  const { dimension, metric, initialCapacity } = parsed;
  const params: IndexParams = {
    M: parsed.M,
    efConstruction: parsed.efConstruction,
    seed: parsed.seed,
    quantization: parsed.quantization,
  };
  const runtime = runtimeOf(parsed, parsed.path);
  const manifest: DenseIndexManifest = {
    kind: 'dense',
    encoderModelId: parsed.encoderModelId,
    dimension,
    metric,
  };
  const kernel = createVectorKernel(
    runtime.kernel,
    dimension,
    metric,
    initialCapacity,
    parallelBuildPossible(runtime.buildThreads),
  );
  const graph = new HnswGraph(kernel, params, initialCapacity, kernel.sharedHandle() !== null);
  const vectors = new VectorStore(dimension, metric, params.quantization, runtime.kernel, kernel, null);
  return buildRetriever(manifest, params, runtime, createIndexState(graph, vectors, new RecordStore()));
}

/** A request's integer argument (INVALID_ARGUMENT: requests are arguments, options are config). */
function requestInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${name} must be an integer from ${min} to ${max}, got ${String(value)}`,
      {
        details: { name, value },
      },
    );
  }
  return value;
}

/** Where the float rows of a file-backed index come from (set by the loader, renewed by saves). */
export interface FileOrigin {
  /** The checksum of the float section of that file (a save with unchanged rows reuses it). */
  vectorsCrc: number | undefined;
}

/**
 * The retriever over an index state (new, or loaded by load-hnsw-retriever.ts). Mutations run
 * one at a time through a queue; searches are synchronous once validated and run between a
 * mutation's steps, each of which leaves every record whole — before or after its change.
 */
export function buildRetriever(
  manifest: DenseIndexManifest,
  params: IndexParams,
  runtime: ResolvedRuntimeOptions,
  initial: IndexState,
  origin: FileOrigin = { vectorsCrc: undefined },
): HnswRetriever {
  let state: IndexState | undefined = initial;
  let savePath = runtime.path;
  const exclusive = createMutationQueue();
  const scratch = createExactSearchScratch();
  const searches: Record<SearchPath, number> = {
    scan: 0,
    'filtered-scan': 0,
    graph: 0,
    'graph-then-scan': 0,
  };
  let linkedInParallel = 0;
  const linkers = new LinkerPool(runtime.buildThreads);
  const countPath = (path: SearchPath) => {
    searches[path]++;
  };
  const settings = {
    metric: manifest.metric,
    dimension: manifest.dimension,
    ef: runtime.ef,
    fullScanThreshold: runtime.fullScanThreshold,
    oversampling: runtime.oversampling,
  };
  const floatsToFile = params.quantization !== 'none' && runtime.floatVectors === 'file';

  const open = (): IndexState => {
    if (state === undefined) throw new RagloomError('INVALID_ARGUMENT', 'this HNSW index was closed');
    return state;
  };

  const encode = (s: IndexState) =>
    encodeIndexFile(indexFileContents(s, manifest, params, origin.vectorsCrc), crc32);

  /** After a save: a quantized index set to keep floats in the file reads them from the file just written. */
  const moveFloatsToFile = async (s: IndexState, target: string, written: ReturnType<typeof encode>) => {
    const entry = written.sections.find((e) => e.name === 'vectors')!;
    const { openRowSource } = await import('#index-file-io');
    // null when the file changed in between (another writer): the floats then stay where they are.
    const rows = await openRowSource(target, manifest.dimension, entry);
    if (rows === null) return;
    const slots = s.graph.size;
    if (s.vectors.file !== null) await s.vectors.file.adopt(rows, slots);
    else {
      const kernel = s.vectors.kernel!;
      const norms = new Float64Array(slots);
      for (let slot = 0; slot < slots; slot++) norms[slot] = kernel.norm(slot);
      s.vectors.useFile(new FileFloatVectors(rows, manifest.dimension, manifest.metric, norms));
      s.graph.kernel = s.vectors.build;
    }
    origin.vectorsCrc = entry.crc32;
  };

  // Persistent when it has a file; one without a file has no save() (its bytes: toBytes, writeFile).
  const capabilities: RetrieverCapabilities = {
    query: 'vector',
    scan: true,
    persistent: savePath !== undefined,
  };

  /** Writes the index file to `target`, atomically; returns what was written (its section table). */
  const writeIndexFile = async (s: IndexState, target: string, options?: HnswOperationOptions) => {
    throwIfAborted(options?.signal, 'save');
    const { writeChunksAtomic } = await import('#index-file-io');
    options?.onProgress?.({ phase: 'encode', completed: 0, total: 1 });
    const written = encode(s);
    await writeChunksAtomic(target, written, (bytes, total) =>
      options?.onProgress?.({ phase: 'write', completed: bytes, total }),
    );
    return written;
  };

  const save = (path?: string, options?: HnswOperationOptions) =>
    exclusive(async () => {
      const target = path ?? savePath;
      if (typeof target !== 'string' || target.length === 0) {
        throw new RagloomError('INVALID_ARGUMENT', 'save(path) needs a file path');
      }
      const s = open();
      const written = await writeIndexFile(s, target, options);
      savePath = target;
      if (floatsToFile || s.vectors.file !== null) await moveFloatsToFile(s, target, written);
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

    async upsert(records, options) {
      open();
      throwIfAborted(options?.signal, 'upsert');
      const { vectors } = validateRecords(records, manifest);
      vectors!.forEach((v, i) => {
        checkMagnitude(v, `records[${i}].vector (id "${records[i]!.id}")`);
      });
      await exclusive(async () => {
        const s = open();
        linkedInParallel += (await upsertRecords(s, records, vectors!, linkers, options)).linkedInParallel;
        await compactIfDue(s, runtime, options);
      });
    },

    async delete(selector, options) {
      open();
      const target = parseDeleteSelector(selector);
      return exclusive(async () => ({ deleted: await deleteRecords(open(), target, runtime, options) }));
    },

    async search(request) {
      const s = open();
      throwIfAborted((request as { signal?: AbortSignal } | undefined)?.signal, 'search');
      const query = validateSearchRequest(request, manifest)!;
      const queryNorm = checkMagnitude(query, 'query vector');
      const ef = request.ef === undefined ? undefined : requestInteger(request.ef, 'ef', 1, LIMITS.ef);
      const filter = parseFilter(request.filter);
      if (request.exact !== undefined && typeof request.exact !== 'boolean') {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `exact must be true or false, got ${String(request.exact)}`,
        );
      }
      const input = { query, queryNorm, k: request.k, ef, filter, exact: request.exact };
      return planAndSearch(s, input, settings, scratch, countPath);
    },

    async count(filter?: Filter) {
      const s = open();
      const node = parseFilter(filter);
      return node.type === 'all' ? s.graph.liveCount : matchingSlots(s, node).length;
    },

    async *scan(options?: { batchSize?: number; signal?: AbortSignal }) {
      const batchSize = requestInteger(options?.batchSize ?? 1000, 'batchSize', 1, Number.MAX_SAFE_INTEGER);
      // Ids, not slots: a compaction between pages renumbers slots but not ids.
      const snapshot = open().records.liveIds();
      for (let start = 0; start < snapshot.length; start += batchSize) {
        throwIfAborted(options?.signal, 'scan');
        const s = open();
        const page: RetrieverRecord[] = [];
        for (const id of snapshot.slice(start, start + batchSize)) {
          const slot = s.records.slotOf(id);
          if (slot === undefined) continue; // deleted since the scan began
          page.push({
            id,
            text: s.records.textOf(slot),
            metadata: s.records.metadataAt(slot),
            vector: s.vectors.get(slot),
          });
        }
        if (page.length > 0) yield page;
      }
    },

    writeFile(path: string, options?: HnswOperationOptions) {
      if (typeof path !== 'string' || path.length === 0) {
        return Promise.reject(new RagloomError('INVALID_ARGUMENT', 'writeFile needs a file path'));
      }
      return exclusive(async () => {
        await writeIndexFile(open(), path, options);
      });
    },

    toBytes() {
      return concatenate(encode(open()));
    },

    compact(options?: HnswOperationOptions) {
      return exclusive(async () => ({ removed: await compactIndex(open(), options) }));
    },

    stats(): HnswIndexStats {
      const { graph, vectors, payload } = open();
      return {
        count: graph.liveCount,
        tombstones: graph.deletedCount,
        capacity: graph.capacity,
        maxLevel: graph.maxLevel,
        M: params.M,
        efConstruction: params.efConstruction,
        ef: runtime.ef ?? 'auto',
        kernel: vectors.kernelName,
        quantization: params.quantization,
        floatVectors: vectors.kernel !== null ? 'memory' : 'file',
        buildThreads: runtime.buildThreads,
        parallelBuild: graph.shared && vectors.kernel?.sharedHandle() != null,
        linkedInParallel,
        indexedFields: payload.indexedFields,
        searches: { ...searches },
      };
    },

    close() {
      return exclusive(async () => {
        const s = state;
        state = undefined;
        await linkers.close();
        await s?.vectors.close();
        scratch.slots = new Int32Array(0);
        scratch.distances = new Float64Array(0);
        scratch.marks = new Uint32Array(0);
      });
    },
  };
  return retriever;
}
