import { type Metric, type ProgressEvent, RagloomError } from '@ragloom/core';
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
  /** Seed of the level generator: the same records in the same order give the same graph. Default 100. */
  readonly seed?: number;
}

/** Settings that apply to an open index (not stored in its file). */
export interface HnswRuntimeOptions {
  /**
   * Default search beam width (per query: `search({ ..., ef })`); the beam is never narrower than
   * k. Higher: better recall, slower search. Default 64.
   */
  readonly ef?: number;
  /**
   * Searches that can match at most this many live records (estimated from a sample when a
   * filter is given) are answered by exact search instead of the graph: cheaper than a walk at
   * that size, and exact. Default 1000.
   */
  readonly exactSearchThreshold?: number;
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
  ef: 64,
  exactSearchThreshold: 1000,
  compactionThreshold: 0.1,
  metric: 'cosine' as Metric,
  kernel: 'auto' as KernelPreference,
} as const;

/** Upper bounds that keep a typo from allocating gigabytes (M = 1e6) or hanging a search. */
export const LIMITS = { M: 256, efConstruction: 10_000, ef: 100_000, dimension: 65_536 } as const;

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

export interface ResolvedRuntimeOptions {
  ef: number;
  exactSearchThreshold: number;
  compactionThreshold: number;
  kernel: KernelPreference;
  path: string | undefined;
}

export function resolveRuntimeOptions(options: HnswRuntimeOptions): ResolvedRuntimeOptions {
  const ef = checkInteger(options.ef ?? DEFAULTS.ef, 'ef', 1, LIMITS.ef);
  const exactSearchThreshold = checkInteger(
    options.exactSearchThreshold ?? DEFAULTS.exactSearchThreshold,
    'exactSearchThreshold',
    0,
    Number.MAX_SAFE_INTEGER,
  );
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
  return { ef, exactSearchThreshold, compactionThreshold, kernel, path: options.path };
}
