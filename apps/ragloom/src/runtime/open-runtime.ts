import { createHash } from 'node:crypto';
import { join } from 'node:path';
import {
  type ChunkerV1,
  type ComponentKind,
  createMarkdownChunker,
  createPipeline,
  createRecursiveChunker,
  createSentenceChunker,
  type DenseIndexManifest,
  type EncoderV1,
  type GeneratorV1,
  isRagloomError,
  type Pipeline,
  type PluginContextV1,
  type PluginProgressEvent,
  RagloomError,
  type RerankerV1,
  type RetrieverV1,
} from '@ragloom/core';
import type { LoadedConfig } from '../config/config-file.js';
import type { PluginReference, RagloomConfig } from '../config/config-schema.js';
import { createComponent } from '../plugins/load-plugin.js';
import { resolveModelReference } from './model-path.js';

export interface RetrieverEntry {
  readonly name: string;
  readonly use: string;
  readonly retriever: RetrieverV1;
  readonly weight?: number;
  readonly k?: number;
}

export type RuntimeLog = (level: 'info' | 'warn', message: string) => void;

export interface OpenRuntimeOptions {
  /** Build the generator (ask, chat, serve). Default false: query and ingest do not load a language model. */
  readonly generator?: boolean;
  /** Build the reranker. Default true. */
  readonly reranker?: boolean;
  /** Progress of long plugin steps (model downloads), tagged with the component. */
  readonly onProgress?: (event: PluginProgressEvent & { readonly component: string }) => void;
  readonly log?: RuntimeLog;
  readonly signal?: AbortSignal;
  /** Where plugin packages are looked up (default: the config folder, then the app's own install). */
  readonly searchFrom?: readonly string[];
}

export interface RagloomRuntime {
  readonly loaded: LoadedConfig;
  readonly config: RagloomConfig;
  readonly encoder?: EncoderV1;
  readonly retrievers: readonly RetrieverEntry[];
  readonly reranker?: RerankerV1;
  readonly generator?: GeneratorV1;
  /** Set when a generator is configured but could not be loaded (offline, model missing): answers are extractive. */
  readonly generatorUnavailable?: string;
  /** The configured chunker (ingest wraps it to record source lines). */
  readonly chunker: ChunkerV1;
  /** The query-side pipeline: retrieve, rerank, ask. */
  readonly pipeline: Pipeline;
  /** A pipeline over the same components with another chunker and retrievers (ingest uses this). */
  pipelineWith(overrides: { chunker?: ChunkerV1; retrievers?: readonly RetrieverEntry[] }): Pipeline;
  /** Changes when settings that shape the stored index change (chunker, encoder, retrievers). */
  readonly settingsFingerprint: string;
  /** One line each for retrieval and answers, e.g. "hybrid: bm25 + dense (HNSW, all-MiniLM-L6-v2)". */
  describeMode(): { retrieval: string; answer: string };
  close(): Promise<void>;
}

export function createConfiguredChunker(config: RagloomConfig): ChunkerV1 {
  const { type, chunkSize, chunkOverlap } = config.chunker;
  if (type === 'sentence') return createSentenceChunker({ chunkSize, chunkOverlap });
  if (type === 'recursive') return createRecursiveChunker({ chunkSize, chunkOverlap });
  return createMarkdownChunker({ chunkSize, chunkOverlap });
}

/** Model problems that mean "no generator right now" rather than a broken config. */
const UNAVAILABLE_CODES = new Set(['MODEL_NOT_FOUND', 'DOWNLOAD_FAILED', 'CONNECTION_ERROR', 'AUTH_ERROR']);

export function settingsFingerprint(config: RagloomConfig): string {
  const shape = {
    chunker: config.chunker,
    encoder: config.encoder ?? null,
    retrievers: config.retrievers.map((r) => ({ name: r.name, use: r.use, options: r.options ?? {} })),
  };
  return createHash('sha256').update(JSON.stringify(shape)).digest('hex').slice(0, 16);
}

const MANIFEST_HINT =
  'the index was built with another encoder; switch the encoder back, or rebuild the index with ' +
  '`ragloom ingest --rebuild <paths>`';
const CORRUPT_HINT =
  'the index files are damaged or from an incompatible version; rebuild them with `ragloom ingest --rebuild <paths>`';

/** Adds what to do to the errors a user meets when opening an existing index. */
function withFixHint(error: unknown): unknown {
  if (isRagloomError(error, 'MANIFEST_MISMATCH') || isRagloomError(error, 'INDEX_CORRUPT')) {
    if (error.message.includes('\n  fix: ')) return error;
    const hint = error.code === 'MANIFEST_MISMATCH' ? MANIFEST_HINT : CORRUPT_HINT;
    return new RagloomError(error.code, `${error.message}\n  fix: ${hint}`, {
      cause: error,
      details: error.details,
    });
  }
  return error;
}

/**
 * Builds every configured component through its plugin (encoder first, since dense retrievers take their
 * manifest from it) and composes them into a pipeline. The generator is loaded only when asked for; if its
 * model is unavailable the runtime answers extractively and says why.
 */
export async function openRuntime(
  loaded: LoadedConfig,
  options: OpenRuntimeOptions = {},
): Promise<RagloomRuntime> {
  const { config } = loaded;
  const log: RuntimeLog = options.log ?? (() => {});
  const closers: (() => Promise<void>)[] = [];
  const loadOptions = { configDir: loaded.dir, searchFrom: options.searchFrom };
  const context = (
    kind: ComponentKind,
    name: string,
    storageDir: string,
    denseManifest?: DenseIndexManifest,
  ) =>
    ({
      kind,
      name,
      configDir: loaded.dir,
      storageDir,
      denseManifest,
      resolveModel: (ref: string) => resolveModelReference(ref, loaded.dir, loaded.modelsPath),
      hub: { offline: config.models.offline ?? false, cacheDir: config.models.cacheDir },
      onProgress: options.onProgress
        ? (event) => options.onProgress?.({ ...event, component: name })
        : undefined,
      signal: options.signal,
      log,
    }) satisfies PluginContextV1;
  const build = async <K extends ComponentKind>(
    kind: K,
    ref: PluginReference,
    where: string,
    name: string,
  ) => {
    const { component } = await createComponent(
      kind,
      ref,
      where,
      context(kind, name, join(loaded.dataDir, kind === 'retriever' ? 'indexes' : 'components', name)),
      loadOptions,
    );
    const closable = component as { close?: () => Promise<void> };
    if (typeof closable.close === 'function') closers.push(() => closable.close!());
    return component;
  };

  try {
    const encoder = config.encoder ? await build('encoder', config.encoder, 'encoder', 'encoder') : undefined;
    const denseManifest: DenseIndexManifest | undefined = encoder
      ? { kind: 'dense', encoderModelId: encoder.modelId, dimension: encoder.dimension, metric: 'cosine' }
      : undefined;

    const retrievers: RetrieverEntry[] = [];
    for (const [i, ref] of config.retrievers.entries()) {
      const { component } = await createComponent(
        'retriever',
        ref,
        `retrievers[${i}]`,
        context('retriever', ref.name, join(loaded.dataDir, 'indexes', ref.name), denseManifest),
        loadOptions,
      );
      const closable = component as { close?: () => Promise<void> };
      if (typeof closable.close === 'function') closers.push(() => closable.close!());
      retrievers.push({ name: ref.name, use: ref.use, retriever: component, weight: ref.weight, k: ref.k });
    }

    const reranker =
      config.reranker && options.reranker !== false
        ? await build('reranker', config.reranker, 'reranker', 'reranker')
        : undefined;

    let generator: GeneratorV1 | undefined;
    let generatorUnavailable: string | undefined;
    if (config.generator && options.generator) {
      try {
        generator = await build('generator', config.generator, 'generator', 'generator');
      } catch (error) {
        if (!isRagloomError(error) || !UNAVAILABLE_CODES.has(error.code)) throw error;
        generatorUnavailable = error.message;
        log('warn', `the generator could not be loaded, so answers are extractive: ${error.message}`);
      }
    }

    const chunker = createConfiguredChunker(config);
    const pipelineWith = (overrides: { chunker?: ChunkerV1; retrievers?: readonly RetrieverEntry[] }) => {
      try {
        return createPipeline({
          encoder,
          retrievers: (overrides.retrievers ?? retrievers).map((r) => ({
            retriever: r.retriever,
            name: r.name,
            weight: r.weight,
            k: r.k,
          })),
          chunker: overrides.chunker ?? chunker,
          reranker,
          generator,
          fusion: config.retrieval.fusion,
          rrfK: config.retrieval.rrfK,
          candidateK: config.retrieval.candidateK,
          topK: config.retrieval.topK,
          systemPrompt: config.systemPrompt,
        });
      } catch (error) {
        throw withFixHint(error);
      }
    };
    const pipeline = pipelineWith({});

    const describeMode = () => {
      const parts = retrievers.map((r) => {
        const m = r.retriever.manifest;
        const what =
          m.kind === 'dense' ? `${r.retriever.provider}, ${m.encoderModelId}` : r.retriever.provider;
        return what === r.name ? r.name : `${r.name} (${what})`;
      });
      const kinds = new Set(retrievers.map((r) => r.retriever.manifest.kind));
      const retrieval =
        (kinds.size > 1 ? 'hybrid: ' : kinds.has('dense') ? 'dense: ' : 'lexical: ') +
        parts.join(' + ') +
        (retrievers.length > 1 ? `, fused by ${config.retrieval.fusion.toUpperCase()}` : '') +
        (reranker ? `, reranked by ${reranker.modelId}` : '');
      const answer = generator
        ? `generated by ${generator.modelId} (${generator.provider})`
        : generatorUnavailable
          ? `extractive (the configured generator is unavailable: ${generatorUnavailable.split('\n')[0]})`
          : config.generator && !options.generator
            ? 'not loaded'
            : 'extractive (no generator configured): quoted sentences from the retrieved passages';
      return { retrieval, answer };
    };

    return {
      loaded,
      config,
      encoder,
      retrievers,
      reranker,
      generator,
      generatorUnavailable,
      chunker,
      pipeline,
      pipelineWith,
      settingsFingerprint: settingsFingerprint(config),
      describeMode,
      async close() {
        for (const close of closers.reverse()) await close().catch(() => {});
      },
    };
  } catch (error) {
    for (const close of closers.reverse()) await close().catch(() => {});
    throw withFixHint(error);
  }
}
