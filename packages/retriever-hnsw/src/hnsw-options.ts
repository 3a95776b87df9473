import type { Metric, ProgressEvent } from '@ragloom/core';
import { type InferOptions, type InferOptionsInput, option, parseOptions } from '@ragloom/core/adapter';
import type { Quantization } from './quantizer.js';
import type { KernelPreference } from './vector-kernel.js';

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
  initialCapacity: 1024,
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

/** The beam width of a search for k hits when none is set (see the `ef` option). */
export function autoEf(k: number): number {
  if (k >= DEFAULTS.efMax) return Math.min(k, LIMITS.ef);
  return Math.min(DEFAULTS.efMax, Math.max(DEFAULTS.efMin, DEFAULTS.efFactor * k));
}

const metric = option.enum(['cosine', 'dot', 'l2']);
const quantization = option.enum(['none', 'int8', 'binary']);

/** Graph parameters, fixed when the index is created and stored in its file. */
const graphFields = {
  M: option
    .integer({ min: 2, max: LIMITS.M })
    .default(DEFAULTS.M)
    .describe('Links per node on the upper levels (level 0 keeps 2·M); 12–48 is the useful range.'),
  efConstruction: option
    .integer({ min: 1, max: LIMITS.efConstruction })
    .default(DEFAULTS.efConstruction)
    .describe('Beam width while inserting: higher builds a better graph, slower.'),
  seed: option
    .integer({ min: 0, max: 2 ** 31 - 1 })
    .default(DEFAULTS.seed)
    .describe(
      'Seed of the level generator: the same records in the same order build the same graph (on one build thread).',
    ),
  quantization: quantization
    .default(DEFAULTS.quantization)
    .describe(
      "How walks store vectors: 'none' (float32), 'int8' (8-bit codes, ranges trained on the data) or 'binary' (1 bit per dimension, for ≥ 768 dimensions); the best candidates are rescored on the floats, so scores are exact.",
    ),
};

/** Settings of an open index (not stored in its file). */
const runtimeFields = {
  ef: option
    .integer({ min: 1, max: LIMITS.ef })
    .optional()
    .describe('Default search beam width (never below k). Unset: clamp(8·k, 100, 500), k itself beyond 500.'),
  fullScanThreshold: option
    .integer({ min: 0 })
    .default(DEFAULTS.fullScanThreshold)
    .describe(
      "Bytes of float vectors (records × dimension × 4) up to which a search is an exact scan, like Qdrant's full_scan_threshold: the whole index, or a filter's matches. 0: always walk the graph.",
    ),
  compactionThreshold: option
    .number({ exclusiveMin: 0, max: 1 })
    .default(DEFAULTS.compactionThreshold)
    .describe(
      'Fraction of stored records deleted at which links are repaired and tombstones dropped; 1 turns it off.',
    ),
  kernel: option
    .enum(['auto', 'wasm', 'js'])
    .default(DEFAULTS.kernel)
    .describe(
      "'auto': WebAssembly SIMD where the runtime has it, else pure JS; 'wasm' requires it; 'js' forces the fallback.",
    ),
  buildThreads: option
    .union([option.literal('auto'), option.integer({ min: 1, max: LIMITS.buildThreads })])
    .default(DEFAULTS.buildThreads)
    .describe(
      "Worker threads linking upserts of ≥ 1,024 new records ('auto': the cores available, up to 8; 1: the calling thread). Node only.",
    ),
  floatVectors: option
    .enum(['memory', 'file'])
    .optional()
    .describe(
      "Quantized indexes: keep the float vectors in memory, or read each rescored candidate's row from the index file once it has one. Default: 'memory' for new indexes, 'file' for loaded quantized ones.",
    ),
  oversampling: option
    .number({ min: 1, max: LIMITS.oversampling })
    .optional()
    .describe(
      'Quantized indexes: candidates rescored on the floats, as a multiple of k (at most ef). Default 2 for int8, 4 for binary.',
    ),
};

/** What a ragloom config may set (`"options"` of `@ragloom/retriever-hnsw`): the host supplies manifest and path. */
export const hnswConfigOptions = option.object({
  metric: metric.optional().describe("Distance (default: the host encoder's metric)."),
  ...graphFields,
  ...runtimeFields,
});

/** The options of `createHnswRetriever`, declared once: the factory checks them with `parseOptions`. */
/** Accepted so that a DenseIndexManifest can be spread into the options (`{ ...manifest, path }`). */
const manifestKind = option.literal('dense').optional();

export const hnswRetrieverOptions = option.object({
  kind: manifestKind,
  encoderModelId: option
    .string()
    .describe('The encoder whose vectors the index holds; queries naming another are refused.'),
  dimension: option.integer({ min: 1, max: LIMITS.dimension }),
  metric: metric
    .default(DEFAULTS.metric)
    .describe('Scores: cosine similarity, dot product, or negative squared L2 distance.'),
  ...graphFields,
  ...runtimeFields,
  path: option.string().optional().describe('Where save() writes; loading sets it to the file read.'),
  initialCapacity: option
    .integer({ min: 1, max: 2 ** 31 - 1 })
    .default(DEFAULTS.initialCapacity)
    .describe('Slots allocated up front (the storage doubles as needed).'),
});

/** The options of `loadHnswRetriever`: the runtime settings, what the file must hold, and a re-quantization. */
export const hnswLoadOptions = option.object({
  kind: manifestKind,
  ...runtimeFields,
  encoderModelId: option
    .string()
    .optional()
    .describe('When given, the file must have been built by this encoder.'),
  dimension: option.integer({ min: 1, max: LIMITS.dimension }).optional(),
  metric: metric.optional(),
  quantization: quantization
    .optional()
    .describe(
      "Re-quantizes on load when it differs from the file's (the graph is kept; the next save writes it).",
    ),
  signal: option.custom<AbortSignal>('an AbortSignal', isAbortSignal).optional(),
  onProgress: option.function<(event: ProgressEvent) => void>().optional(),
});

function isAbortSignal(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean';
}

/** What `createHnswRetriever` takes. */
export type HnswRetrieverOptions = InferOptionsInput<typeof hnswRetrieverOptions>;
/** What `loadHnswRetriever` takes. */
export type HnswLoadOptions = InferOptionsInput<typeof hnswLoadOptions>;
/** What a ragloom config may set for the plugin. */
export type HnswConfigOptions = InferOptionsInput<typeof hnswConfigOptions>;
/** The graph parameters (stored in the file). */
export type HnswGraphOptions = Pick<HnswRetrieverOptions, keyof typeof graphFields>;
/** The settings of an open index (not stored). */
export type HnswRuntimeOptions = Pick<HnswRetrieverOptions, keyof typeof runtimeFields | 'path'>;

/** Long operations (upsert, delete with compaction, save, compact) take these. */
export interface HnswOperationOptions {
  readonly signal?: AbortSignal;
  /** Called as the work advances: `phase` is 'insert', 'repair', 'compact', 'encode' or 'write'. */
  readonly onProgress?: (event: ProgressEvent) => void;
}

export type ParsedRetrieverOptions = InferOptions<typeof hnswRetrieverOptions>;
export type ParsedLoadOptions = InferOptions<typeof hnswLoadOptions>;

export const parseRetrieverOptions = (value: unknown): ParsedRetrieverOptions =>
  parseOptions(hnswRetrieverOptions, value, { component: 'createHnswRetriever' });

export const parseLoadOptions = (value: unknown): ParsedLoadOptions =>
  parseOptions(hnswLoadOptions, value, { component: 'loadHnswRetriever' });

/** The runtime settings of an open index, from either kind of parsed options. */
export interface ResolvedRuntimeOptions {
  /** undefined: adapts to k (`autoEf`). */
  readonly ef: number | undefined;
  readonly fullScanThreshold: number;
  readonly compactionThreshold: number;
  readonly kernel: KernelPreference;
  readonly path: string | undefined;
  readonly buildThreads: number | 'auto';
  readonly floatVectors: 'memory' | 'file' | undefined;
  readonly oversampling: number | undefined;
}

export function runtimeOf(
  options: Pick<ParsedLoadOptions, keyof typeof runtimeFields>,
  path: string | undefined,
): ResolvedRuntimeOptions {
  return {
    ef: options.ef,
    fullScanThreshold: options.fullScanThreshold,
    compactionThreshold: options.compactionThreshold,
    kernel: options.kernel,
    path,
    buildThreads: options.buildThreads,
    floatVectors: options.floatVectors,
    oversampling: options.oversampling,
  };
}
