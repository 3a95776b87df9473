import { type Metric, type ProgressEvent, RagloomError } from '@ragloom/core';
import type { Quantization } from './quantizer.js';
import type { KernelPreference } from './vector-kernel.js';

/** Graph parameters, fixed when the index is created and stored in its file. */
export interface HnswGraphOptions {
  /**
   * Links per node on the upper levels (level 0 keeps 2·M). Higher: better recall, more memory
   * and slower inserts. 12–48 is the useful range; default 16 (as hnswlib).
   */
  readonly M?: number;
  /** Beam width while inserting. Higher: a better graph, slower inserts. Default 200. */
  readonly efConstruction?: number;
  /**
   * Seed of the level generator: the same records in the same order give the same graph (on one
   * build thread; parallel builds link in a different order each time). Default 100.
   */
  readonly seed?: number;
  /**
   * How graph walks store vectors: 'none' (float32, default), 'int8' (8-bit scalar codes, one
   * range per dimension trained on the data: 4× smaller) or 'binary' (one bit per dimension: 32×
   * smaller, for ≥ 768 dimensions). The best candidates are always rescored with the float
   * vectors, so returned scores are the exact ones. Stored in the file.
   */
  readonly quantization?: Quantization;
}

/** Settings that apply to an open index (not stored in its file). */
export interface HnswRuntimeOptions {
  /**
   * Default search beam width (per query: `search({ ..., ef })`); the beam is never narrower than
   * k. Higher: better recall, slower search. Default: adapts to k, clamp(8·k, 100, 500) (k itself
   * beyond 500), as Weaviate's dynamic ef.
   */
  readonly ef?: number;
  /**
   * Bytes of float vectors (records × dimension × 4) up to which a search is answered exactly, by
   * a scan, instead of by the graph — the whole index, or the records a filter can match — like
   * Qdrant's `full_scan_threshold`. Filters selective enough that a filtered walk would cost more
   * than scanning their matches are scanned too. 0 turns exact scans off (every search walks the
   * graph; a filtered walk that finds fewer than k still falls back to a scan). Default 10 MiB.
   */
  readonly fullScanThreshold?: number;
  /**
   * When deleted (tombstoned) records reach this fraction of the stored ones, the index repairs
   * the links around them and drops them (see `compact()`). Default 0.1; 1 turns it off.
   */
  readonly compactionThreshold?: number;
  /**
   * 'auto' (default): the WebAssembly SIMD kernel where the runtime supports it, else pure JS.
   * 'wasm' requires it; 'js' forces the fallback (same results within float32 rounding).
   */
  readonly kernel?: KernelPreference;
  /** Where `save()` writes; `loadHnswRetriever`/`openHnswRetriever` set it to the file they read. */
  readonly path?: string;
  /**
   * Worker threads that link large upserts (≥ 1,024 new records) in parallel over shared memory:
   * 'auto' (default) = the cores available, up to 8; 1 builds on the calling thread. Needs Node
   * and the wasm kernel; browsers build on the calling thread. Parallel builds reach the same
   * recall but not the same graph twice.
   */
  readonly buildThreads?: number | 'auto';
  /**
   * Quantized indexes only: where the float vectors used for rescoring live. 'memory' keeps them
   * (fastest, most memory); 'file' reads each candidate's row from the index file (memory holds
   * codes, links and records only; the OS page cache keeps hot rows) once the index has a file —
   * after a load, or after its first save. Default 'memory' for new indexes, 'file' for loaded
   * quantized ones. Upserts into an index whose floats are in the file link by the codes, on
   * one thread.
   */
  readonly floatVectors?: 'memory' | 'file';
  /**
   * Quantized indexes only: candidates rescored with the float vectors, as a multiple of k
   * (ef is raised to match). Default 2 for int8, 4 for binary.
   */
  readonly oversampling?: number;
}

export interface HnswRetrieverOptions extends HnswGraphOptions, HnswRuntimeOptions {
  /** The encoder whose vectors the index holds; a query naming another encoder is rejected. */
  readonly encoderModelId: string;
  readonly dimension: number;
  /** Default 'cosine'. Scores: cosine similarity, dot product, or negative squared L2 distance. */
  readonly metric?: Metric;
  /** Slots to allocate up front (the storage doubles as needed). */
  readonly initialCapacity?: number;
}

/** Options of `loadHnswRetriever`: the runtime settings plus, optionally, what the file must hold. */
export interface HnswLoadOptions extends Omit<HnswRuntimeOptions, 'path'> {
  /** When given, the file's manifest must match (else `MANIFEST_MISMATCH`). */
  readonly encoderModelId?: string;
  readonly dimension?: number;
  readonly metric?: Metric;
  /**
   * Re-quantizes on load when it differs from the file's (a new quantizer is trained on the
   * stored float vectors; the graph is kept). The next save writes it.
   */
  readonly quantization?: Quantization;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** Long operations (upsert, delete with compaction, save, compact) take these. */
export interface HnswOperationOptions {
  readonly signal?: AbortSignal;
  /** Called as the work advances: `phase` is 'insert', 'repair', 'compact', 'encode' or 'write'. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export const DEFAULTS = {
  M: 16,
  efConstruction: 200,
  seed: 100,
  /** ef when none is set: clamp(efFactor · k, efMin, efMax), and k itself beyond efMax. */
  efFactor: 8,
  efMin: 100,
  efMax: 500,
  fullScanThreshold: 10 * 1024 * 1024,
  compactionThreshold: 0.1,
  metric: 'cosine' as Metric,
  kernel: 'auto' as KernelPreference,
  quantization: 'none' as Quantization,
  buildThreads: 'auto' as const,
  oversampling: { int8: 2, binary: 4 },
} as const;

/** Upper bounds that keep a typo from allocating gigabytes (M = 1e6) or hanging a search. */
export const LIMITS = {
  M: 256,
  efConstruction: 10_000,
  ef: 100_000,
  dimension: 65_536,
  buildThreads: 8,
  oversampling: 100,
} as const;

/** The beam width of a search for k hits when none is set (see `HnswRuntimeOptions.ef`). */
export function autoEf(k: number): number {
  if (k >= DEFAULTS.efMax) return Math.min(k, LIMITS.ef);
  return Math.min(DEFAULTS.efMax, Math.max(DEFAULTS.efMin, DEFAULTS.efFactor * k));
}

function invalid(message: string, name: string, value: unknown): never {
  throw new RagloomError('INVALID_ARGUMENT', message, { details: { option: name, value } });
}

export function checkInteger(value: unknown, name: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    invalid(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`, name, value);
  }
  return value;
}

export function checkMetric(value: unknown): Metric {
  if (value !== 'cosine' && value !== 'dot' && value !== 'l2') {
    invalid(`metric must be 'cosine', 'dot' or 'l2', got ${JSON.stringify(value)}`, 'metric', value);
  }
  return value;
}

export function checkQuantization(value: unknown): Quantization {
  if (value !== 'none' && value !== 'int8' && value !== 'binary') {
    invalid(
      `quantization must be 'none', 'int8' or 'binary', got ${JSON.stringify(value)}`,
      'quantization',
      value,
    );
  }
  return value;
}

export interface ResolvedRuntimeOptions {
  /** undefined: adapts to k (`autoEf`). */
  ef: number | undefined;
  fullScanThreshold: number;
  compactionThreshold: number;
  kernel: KernelPreference;
  path: string | undefined;
  buildThreads: number | 'auto';
  floatVectors: 'memory' | 'file' | undefined;
  oversampling: number | undefined;
}

export function resolveRuntimeOptions(options: HnswRuntimeOptions): ResolvedRuntimeOptions {
  const ef = options.ef === undefined ? undefined : checkInteger(options.ef, 'ef', 1, LIMITS.ef);
  const fullScanThreshold = checkInteger(
    options.fullScanThreshold ?? DEFAULTS.fullScanThreshold,
    'fullScanThreshold',
    0,
    Number.MAX_SAFE_INTEGER,
  );
  const buildThreads = options.buildThreads ?? DEFAULTS.buildThreads;
  if (buildThreads !== 'auto') checkInteger(buildThreads, 'buildThreads', 1, LIMITS.buildThreads);
  const floatVectors = options.floatVectors;
  if (floatVectors !== undefined && floatVectors !== 'memory' && floatVectors !== 'file') {
    invalid(
      `floatVectors must be 'memory' or 'file', got ${JSON.stringify(floatVectors)}`,
      'floatVectors',
      floatVectors,
    );
  }
  const oversampling = options.oversampling;
  if (
    oversampling !== undefined &&
    (typeof oversampling !== 'number' || !(oversampling >= 1 && oversampling <= LIMITS.oversampling))
  ) {
    invalid(
      `oversampling must be a number from 1 to ${LIMITS.oversampling}, got ${String(oversampling)}`,
      'oversampling',
      oversampling,
    );
  }
  const compactionThreshold = options.compactionThreshold ?? DEFAULTS.compactionThreshold;
  if (typeof compactionThreshold !== 'number' || !(compactionThreshold > 0 && compactionThreshold <= 1)) {
    invalid(
      `compactionThreshold must be a fraction in (0, 1], got ${String(compactionThreshold)}`,
      'compactionThreshold',
      compactionThreshold,
    );
  }
  const kernel = options.kernel ?? DEFAULTS.kernel;
  if (kernel !== 'auto' && kernel !== 'wasm' && kernel !== 'js') {
    invalid(`kernel must be 'auto', 'wasm' or 'js', got ${JSON.stringify(kernel)}`, 'kernel', kernel);
  }
  if (options.path !== undefined && (typeof options.path !== 'string' || options.path.length === 0)) {
    invalid('path must be a non-empty string', 'path', options.path);
  }
  return {
    ef,
    fullScanThreshold,
    compactionThreshold,
    kernel,
    path: options.path,
    buildThreads,
    floatVectors,
    oversampling,
  };
}
