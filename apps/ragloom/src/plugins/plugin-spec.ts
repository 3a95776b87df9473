import type {
  DenseIndexManifest,
  EncoderV1,
  GeneratorV1,
  ProgressEvent,
  RerankerV1,
  RetrieverV1,
} from '@ragloom/core';
import type { StandardSchemaV1 } from './standard-schema.js';

/** What a plugin can provide. */
export type ComponentKind = 'encoder' | 'retriever' | 'reranker' | 'generator';

export const COMPONENT_KINDS: readonly ComponentKind[] = ['encoder', 'retriever', 'reranker', 'generator'];

export interface ComponentByKind {
  readonly encoder: EncoderV1;
  readonly retriever: RetrieverV1;
  readonly reranker: RerankerV1;
  readonly generator: GeneratorV1;
}

/** A progress event of a long plugin step (model download: `phase: 'download'`, bytes, `file`). */
export type PluginProgressEvent = ProgressEvent & { readonly file?: string };

/** What the app gives a plugin factory besides the user's options. */
export interface RagloomPluginContext {
  readonly kind: ComponentKind;
  /** The component's name: the retriever's `name`, else the kind. */
  readonly name: string;
  /** The folder of the config file; relative paths in options are relative to it. */
  readonly configDir: string;
  /**
   * A folder the component owns for its files (`<dataDir>/indexes/<name>` for retrievers). It may not exist
   * yet. A persistent retriever opens the index found there, or starts an empty one.
   */
  readonly storageDir: string;
  /**
   * Retrievers: the dense index the app's encoder needs (model id, dimension, metric), or undefined when no
   * encoder is configured. A dense retriever builds its manifest from it; a sparse one ignores it.
   */
  readonly denseManifest?: DenseIndexManifest;
  /**
   * Maps a model reference through the user's model path (`models.path` / RAGLOOM_MODELS): a local folder
   * when one is there, else the reference unchanged (a Hugging Face id, fetched into the HF cache).
   */
  resolveModel(ref: string): string;
  /** Hub settings from the config: never download when `offline`; the HF cache folder. */
  readonly hub: { readonly offline: boolean; readonly cacheDir?: string };
  /** Long steps (model downloads) report here; the CLI draws a progress bar. */
  readonly onProgress?: (event: PluginProgressEvent) => void;
  readonly signal?: AbortSignal;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

/** Builds one kind of component from validated options. */
export interface ComponentFactoryV1<C> {
  /**
   * The options' schema (any Standard Schema: zod 4, valibot, arktype...). The app validates the config's
   * `options` with it and reports problems by field path; the factory then receives the parsed value.
   */
  readonly optionsSchema?: StandardSchemaV1;
  create(options: Record<string, unknown>, context: RagloomPluginContext): C | Promise<C>;
}

/**
 * The plugin convention: a package's main entry exports `ragloomPlugin` (or a default export) with
 * `specificationVersion: 'v1'` and one factory per kind it provides.
 *
 * ```ts
 * export const ragloomPlugin = {
 *   specificationVersion: 'v1',
 *   name: 'acme-retriever',
 *   retriever: { create: (options, ctx) => createAcmeRetriever({ ...options, dir: ctx.storageDir }) },
 * };
 * ```
 * The app checks the version, validates options with `optionsSchema`, calls `create`, and checks that the
 * component it gets back is a v1 component of that kind.
 */
export interface RagloomPluginV1 {
  readonly specificationVersion: 'v1';
  readonly name?: string;
  readonly encoder?: ComponentFactoryV1<EncoderV1>;
  readonly retriever?: ComponentFactoryV1<RetrieverV1>;
  readonly reranker?: ComponentFactoryV1<RerankerV1>;
  readonly generator?: ComponentFactoryV1<GeneratorV1>;
}
