import type { EncoderV1 } from './encoder-v1.js';
import type { GeneratorV1 } from './generator-v1.js';
import type { RerankerV1 } from './reranker-v1.js';
import type { DenseIndexManifest, RetrieverV1 } from './retriever-v1.js';
import type { ProgressEvent, SpecificationVersion } from './shared-types.js';

/** What a plugin can provide. */
export type ComponentKind = 'encoder' | 'retriever' | 'reranker' | 'generator';

export interface ComponentByKind {
  readonly encoder: EncoderV1;
  readonly retriever: RetrieverV1;
  readonly reranker: RerankerV1;
  readonly generator: GeneratorV1;
}

/**
 * The Standard Schema interface (https://standardschema.dev), copied as its authors intend: a plugin
 * describes its options with zod 4, valibot, arktype or by hand, and ragloom depends on none of them.
 */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: string;
    readonly validate: (
      value: unknown,
    ) => StandardSchemaResult<Output> | Promise<StandardSchemaResult<Output>>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
}

export type StandardSchemaResult<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardSchemaIssue[] };

export interface StandardSchemaIssue {
  readonly message: string;
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** A progress event of a long plugin step (model download: `phase: 'download'`, bytes, `file`). */
export type PluginProgressEvent = ProgressEvent & { readonly file?: string };

/** What a host (the ragloom app) gives a plugin factory besides the user's options. */
export interface PluginContextV1 {
  readonly kind: ComponentKind;
  /** The component's name: a retriever's `name` in the config, else the kind. */
  readonly name: string;
  /** The folder of the config file; relative paths in options are relative to it. */
  readonly configDir: string;
  /**
   * A folder the component owns for its files (it may not exist yet). A persistent retriever opens the
   * index found there, or starts an empty one.
   */
  readonly storageDir: string;
  /**
   * Retrievers: the dense index the host's encoder needs (model id, dimension, metric), or undefined when no
   * encoder is configured. A dense retriever builds its manifest from it; a sparse one ignores it.
   */
  readonly denseManifest?: DenseIndexManifest;
  /** Maps a model reference through the user's model path: a local folder when one is there, else unchanged. */
  resolveModel(ref: string): string;
  /** Hub settings: never download when `offline`; the Hugging Face cache folder. */
  readonly hub: { readonly offline: boolean; readonly cacheDir?: string };
  /** Long steps (model downloads) report here; the CLI draws a progress bar. */
  readonly onProgress?: (event: PluginProgressEvent) => void;
  readonly signal?: AbortSignal;
  readonly log: (level: 'info' | 'warn', message: string) => void;
}

/**
 * Builds one kind of component from validated options. `Options` is what `create` takes; it defaults to a plain
 * record, which is all a host knows. A host validates the config's `options` with `optionsSchema` and passes the
 * schema's output to `create`. A typed factory (`ComponentFactoryV1<EncoderV1, MyOptions>`, or one made with
 * `defineRagloomPlugin` from `@ragloom/core/adapter`) is assignable to the untyped one as long as `Options` is an
 * object type (not an interface with required members a record lacks), so `RagloomPluginV1` accepts both.
 */
export interface ComponentFactoryV1<C, Options = Record<string, unknown>> {
  /** The options' schema; the host validates the config's `options` with it and reports problems by path. */
  readonly optionsSchema?: StandardSchemaV1<unknown, Options>;
  // Method syntax on purpose: parameters of methods are compared bivariantly, which is what lets a factory
  // typed for its own options stand where a host expects `Record<string, unknown>`.
  create(options: Options, context: PluginContextV1): C | Promise<C>;
}

/**
 * The plugin convention: a package's main entry exports `ragloomPlugin` (or a default export) with
 * `specificationVersion: 'v1'` and one factory per kind it provides. Every ragloom adapter does, and the
 * app loads first- and third-party packages the same way.
 *
 * ```ts
 * export const ragloomPlugin: RagloomPluginV1 = {
 *   specificationVersion: 'v1',
 *   name: 'acme-retriever',
 *   retriever: { create: (options, ctx) => openAcmeRetriever({ ...options, dir: ctx.storageDir }) },
 * };
 * ```
 */
export interface RagloomPluginV1 {
  readonly specificationVersion: SpecificationVersion;
  readonly name?: string;
  readonly encoder?: ComponentFactoryV1<EncoderV1>;
  readonly retriever?: ComponentFactoryV1<RetrieverV1>;
  readonly reranker?: ComponentFactoryV1<RerankerV1>;
  readonly generator?: ComponentFactoryV1<GeneratorV1>;
}
