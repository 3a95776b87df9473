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
import type { PluginReference, RagloomConfig, RetrieverReference } from '../config/config-schema.js';
import type { MemberSpec, SetProblem } from '../index-set/committed-set.js';
import { type IndexSetReader, type IndexSetView, openIndexSetReader } from '../index-set/index-set-reader.js';
import { type IndexSetWriter, openIndexSetWriter } from '../index-set/index-set-writer.js';
import { acquireWriterLock, type WriterLock } from '../index-set/writer-lock.js';
import { commitDeletion, commitDocuments } from '../ingest/ingest-documents.js';
import type { IngestState } from '../ingest/ingest-state.js';
import { createComponent } from '../plugins/load-plugin.js';
import { resolveModelReference } from './model-path.js';
import { readOnlyRetriever } from './read-only-retriever.js';

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
  /**
   * `read` (default): open the newest committed generation of the index set; `refresh()` moves to a newer
   * one. `write`: also become the set's one writer (taking the data dir's lock, or using `lock`).
   */
  readonly access?: 'read' | 'write';
  /** For `write`: a lock the caller already took (the CLI takes it first, to say it is waiting). */
  readonly lock?: WriterLock;
  /** For `write` without `lock`: how long to wait for another writer (default 0: INDEX_LOCKED at once). */
  readonly lockWaitMs?: number;
  /** For `write`: start from empty indexes and ingest state (ingest --rebuild). */
  readonly rebuild?: boolean;
  /** Open although the members of the set disagree (doctor, import, export --to); problems are listed. */
  readonly tolerateMismatch?: boolean;
}

/** The runtime's index set: what is committed, and (for writers) how to commit. */
export interface RuntimeIndexSet {
  readonly access: 'read' | 'write';
  readonly dataDir: string;
  /** The generation the runtime's retrievers show (0 before the first commit). */
  readonly generation: number;
  readonly setId: string | undefined;
  /** The ingest state of that generation. */
  readonly state: IngestState;
  /** Problems found on open (only with `tolerateMismatch`). */
  readonly problems: readonly SetProblem[];
  /** Records per member, as of that generation. */
  readonly counts: ReadonlyMap<string, number>;
  /** The writer (access `write`). */
  readonly writer?: IndexSetWriter;
  /** Readers: open the newest generation if another process committed one (true when it changed). */
  refresh(): Promise<boolean>;
  /**
   * The runtime as it is now, kept open until `release` even if a refresh moves on meanwhile: each server
   * request runs on one lease, so it never mixes two generations.
   */
  lease(): { readonly runtime: RagloomRuntime; release(): void };
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
  /** The index set the retrievers belong to. */
  readonly indexSet: RuntimeIndexSet;
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
export function withFixHint(error: unknown): unknown {
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

  let lock: WriterLock | undefined;
  let ownsLock = false;
  let reader: IndexSetReader | undefined;
  let writer: IndexSetWriter | undefined;
  try {
    const encoder = config.encoder ? await build('encoder', config.encoder, 'encoder', 'encoder') : undefined;
    const denseManifest: DenseIndexManifest | undefined = encoder
      ? { kind: 'dense', encoderModelId: encoder.modelId, dimension: encoder.dimension, metric: 'cosine' }
      : undefined;

    const members: MemberSpec[] = config.retrievers.map((ref, i) => ({
      name: ref.name,
      use: ref.use,
      open: async (storageDir) =>
        (
          await createComponent(
            'retriever',
            ref,
            `retrievers[${i}]`,
            context('retriever', ref.name, storageDir, denseManifest),
            loadOptions,
          )
        ).component,
    }));
    const setOptions = {
      dataDir: loaded.dataDir,
      members,
      settings: settingsFingerprint(config),
      tolerateMismatch: options.tolerateMismatch,
      log,
    };
    if (options.access === 'write') {
      lock = options.lock;
      if (!lock) {
        lock = await acquireWriterLock(loaded.dataDir, {
          waitMs: options.lockWaitMs,
          staleMs: config.lock.staleSeconds * 1000,
          signal: options.signal,
        });
        ownsLock = true;
      }
      writer = await openIndexSetWriter({ ...setOptions, lock, rebuild: options.rebuild });
    } else {
      reader = await openIndexSetReader(setOptions);
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
    const composePipeline = (entries: readonly RetrieverEntry[], overrideChunker?: ChunkerV1) => {
      try {
        return createPipeline({
          encoder,
          retrievers: entries.map((r) => ({
            retriever: r.retriever,
            name: r.name,
            weight: r.weight,
            k: r.k,
          })),
          chunker: overrideChunker ?? chunker,
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
    const entry = (ref: RetrieverReference, retriever: RetrieverV1): RetrieverEntry => ({
      name: ref.name,
      use: ref.use,
      retriever,
      weight: ref.weight,
      k: ref.k,
    });

    // The retrievers and pipeline a caller sees: for a writer, fixed wrappers that look up its current
    // members (a rollback reopens them) behind the commit gate; for a reader, those of one view each.
    const writerEntries = writer
      ? config.retrievers.map((ref) => {
          const w = writer!;
          return entry(
            ref,
            readOnlyRetriever(() => w.members.find((m) => m.name === ref.name)!.retriever, w.gate),
          );
        })
      : undefined;
    // The runtime's own pipeline writes through the index set: an ingest or delete is one commit.
    const committing = (pipeline: Pipeline): Pipeline => ({
      ...pipeline,
      ingest: async (documents, ingestOptions) =>
        (await commitDocuments(runtime, documents, ingestOptions)).result,
      deleteDocuments: async (ids) => {
        const first = config.retrievers[0]!.name;
        const before = runtime.indexSet.counts.get(first) ?? 0;
        await commitDeletion(runtime, ids);
        return { deleted: Math.max(0, before - (runtime.indexSet.counts.get(first) ?? 0)) };
      },
    });
    const writerPipeline = writerEntries ? committing(composePipeline(writerEntries)) : undefined;
    const viewShapes = new WeakMap<IndexSetView, { entries: RetrieverEntry[]; pipeline: Pipeline }>();
    const shapeOf = (view: IndexSetView) => {
      let shape = viewShapes.get(view);
      if (!shape) {
        const entries = config.retrievers.flatMap((ref) => {
          const member = view.members.find((m) => m.name === ref.name);
          return member
            ? [
                entry(
                  ref,
                  readOnlyRetriever(() => member.retriever),
                ),
              ]
            : [];
        });
        shape = { entries, pipeline: committing(composePipeline(entries)) };
        viewShapes.set(view, shape);
      }
      return shape;
    };

    const describeMode = (retrievers: readonly RetrieverEntry[]) => {
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

    const fingerprint = settingsFingerprint(config);
    type Shape = { entries: readonly RetrieverEntry[]; pipeline: Pipeline };
    /** A runtime whose retrievers are whatever `shape` gives: the newest view, one leased view, or the writer's. */
    const runtimeOver = (shape: () => Shape, close: () => Promise<void>): RagloomRuntime => ({
      loaded,
      config,
      encoder,
      get retrievers() {
        return shape().entries;
      },
      reranker,
      generator,
      generatorUnavailable,
      chunker,
      get pipeline() {
        return shape().pipeline;
      },
      pipelineWith: (overrides) =>
        composePipeline(overrides.retrievers ?? shape().entries, overrides.chunker),
      settingsFingerprint: fingerprint,
      describeMode: () => describeMode(shape().entries),
      indexSet,
      close,
    });
    const currentShape = (): Shape =>
      reader ? shapeOf(reader.view) : { entries: writerEntries!, pipeline: writerPipeline! };

    const indexSet: RuntimeIndexSet = {
      access: writer ? 'write' : 'read',
      dataDir: loaded.dataDir,
      get generation() {
        return writer ? writer.generation : reader!.view.generation;
      },
      get setId() {
        return writer ? writer.setId : reader!.view.setId;
      },
      get state() {
        return writer ? writer.state : reader!.view.state;
      },
      get problems() {
        return writer ? writer.problems : reader!.view.problems;
      },
      get counts() {
        return writer ? writer.counts : reader!.view.counts;
      },
      writer,
      refresh: () => (reader ? reader.refresh() : Promise.resolve(false)),
      lease() {
        if (!reader) return { runtime, release: () => {} };
        const held = reader.lease();
        const shape = shapeOf(held.view);
        return {
          runtime: runtimeOver(
            () => shape,
            async () => held.release(),
          ),
          release: held.release,
        };
      },
    };

    let closed = false;
    const runtime = runtimeOver(currentShape, async () => {
      if (closed) return;
      closed = true;
      await reader?.close().catch(() => {});
      await writer?.close().catch(() => {});
      if (ownsLock) await lock?.release().catch(() => {});
      for (const close of closers.reverse()) await close().catch(() => {});
    });
    return runtime;
  } catch (error) {
    await reader?.close().catch(() => {});
    await writer?.close().catch(() => {});
    if (ownsLock) await lock?.release().catch(() => {});
    for (const close of closers.reverse()) await close().catch(() => {});
    throw withFixHint(error);
  }
}
