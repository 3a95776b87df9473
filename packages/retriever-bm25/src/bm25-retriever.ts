import {
  assertManifestMatches,
  compileFilter,
  type DeleteSelector,
  type Filter,
  type ProgressEvent,
  RagloomError,
  type RetrieverRecord,
  type RetrieverV1,
  type SearchHit,
  type SearchRequest,
  type SparseIndexManifest,
  throwIfAborted,
} from '@ragloom/core';
import { checkSearch, checkUpsert } from '@ragloom/core/adapter';
import { fileExists, readFileBytes, writeFileBytes } from '#index-file-io';
import type { Analyzer, AnalyzerConfig, AnalyzerName } from './analyzer.js';
import { type Bm25Parameters, type Bm25Preset, resolveBm25Parameters } from './bm25-parameters.js';
import { createAnalyzer, resolveAnalyzer } from './create-analyzer.js';
import { decodeIndexFile, encodeIndexFile } from './index-file-format.js';
import {
  type AnalyzedDocument,
  createInvertedIndex,
  type IndexSnapshot,
  type IndexStatistics,
  type InvertedIndex,
} from './inverted-index.js';

export interface Bm25RetrieverOptions {
  /**
   * How text becomes terms: 'english' (default; Lucene EnglishAnalyzer-like), 'cjk' (Chinese/Japanese),
   * 'auto' (per script), 'standard', 'whitespace', a config object, or your own `{ id, analyze }`.
   */
  readonly analyzer?: AnalyzerName | AnalyzerConfig | Analyzer;
  /** 'anserini' (k1 0.9, b 0.4; default) or 'lucene' (k1 1.2, b 0.75). */
  readonly preset?: Bm25Preset;
  readonly k1?: number;
  readonly b?: number;
  /** The file `save()` writes (atomically). Without it the index lives in memory only. */
  readonly path?: string;
}

export interface Bm25UpsertOptions {
  readonly signal?: AbortSignal;
  /** Called as documents are analysed (phase 'analyze'), then once they are indexed (phase 'index'). */
  readonly onProgress?: (event: ProgressEvent) => void;
}

/** A BM25 retriever: the Retriever v1 contract (text queries) plus persistence and statistics. */
export interface Bm25Retriever extends RetrieverV1 {
  readonly manifest: SparseIndexManifest;
  readonly analyzer: Analyzer;
  readonly parameters: Bm25Parameters;
  /**
   * The index's file, where `save()` writes. Undefined for an index without one: it is not
   * persistent (`capabilities.persistent` is false) and has no `save()`.
   */
  readonly path: string | undefined;
  upsert(records: readonly RetrieverRecord[], options?: Bm25UpsertOptions): Promise<void>;
  search(request: SearchRequest): Promise<SearchHit[]>;
  scan(options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<RetrieverRecord[]>;
  /**
   * Writes the index atomically to its file (or to `path`). Present only when the index has a file
   * (`capabilities.persistent`).
   */
  save?(path?: string): Promise<void>;
  /** Writes the index file (what `save` writes) to `path`, atomically; the index's own file stays as it is. */
  writeFile(path: string): Promise<void>;
  /** The index as index-file bytes (what `save` writes), e.g. to keep it in a database or a browser. */
  toBytes(): Uint8Array;
  /** Counts: live documents, terms, postings, mean length, deleted documents awaiting compaction. */
  stats(): IndexStatistics;
  /** @deprecated Renamed `stats()` (ragloom's counters are `stats()`); this alias goes in the next minor. */
  statistics(): IndexStatistics;
}

/** A BM25 index with a file (created or loaded with a `path`): persistent, with `save()`. */
export interface PersistentBm25Retriever extends Bm25Retriever {
  readonly path: string;
  save(path?: string): Promise<void>;
}

/** Narrows an index to one with a file (what `path` at creation or loading gives). */
export function isPersistentBm25Retriever(index: Bm25Retriever): index is PersistentBm25Retriever {
  return index.capabilities.persistent && typeof index.save === 'function' && index.path !== undefined;
}

/** An index given a path has a file; the check keeps the return types honest without a cast. */
function withFile(index: Bm25Retriever): PersistentBm25Retriever {
  if (!isPersistentBm25Retriever(index)) throw new Error('a BM25 index opened with a path has no save()');
  return index;
}

export interface LoadBm25RetrieverOptions {
  /** Needed when the index was built with a custom analyzer; otherwise it must match the stored one. */
  readonly analyzer?: AnalyzerName | AnalyzerConfig | Analyzer;
  /** Override the stored k1/b (they only affect scoring, not what is stored). */
  readonly preset?: Bm25Preset;
  readonly k1?: number;
  readonly b?: number;
}

// Analysis runs in slices of this many milliseconds, yielding between them so that an AbortSignal
// can fire and the host's event loop stays responsive during a large upsert.
const SLICE_MS = 25;

const yieldToEventLoop = () =>
  new Promise<void>((resolve) =>
    typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0),
  );

function countTerms(
  analyzer: Analyzer,
  text: string,
  what: string,
): { counts: Map<string, number>; length: number } {
  const terms: unknown = analyzer.analyze(text);
  if (!Array.isArray(terms)) {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `analyzer "${analyzer.id}" returned no array of terms for ${what}`,
    );
  }
  const counts = new Map<string, number>();
  let length = 0;
  for (const term of terms) {
    if (typeof term !== 'string') {
      throw new RagloomError(
        'PLUGIN_ERROR',
        `analyzer "${analyzer.id}" returned a ${typeof term} among the terms of ${what}; terms must be strings`,
      );
    }
    if (term.length === 0) continue;
    counts.set(term, (counts.get(term) ?? 0) + 1);
    length++;
  }
  return { counts, length };
}

function validateSelector(selector: DeleteSelector): void {
  const s = selector as { ids?: unknown; filter?: unknown } | null;
  if (typeof s !== 'object' || s === null || (!('ids' in s) && !('filter' in s))) {
    throw new RagloomError('INVALID_ARGUMENT', 'delete expects { ids: string[] } or { filter }');
  }
  if ('ids' in s && (!Array.isArray(s.ids) || s.ids.some((id) => typeof id !== 'string'))) {
    throw new RagloomError('INVALID_ARGUMENT', 'delete { ids } must be an array of strings');
  }
}

function buildRetriever(
  analyzer: Analyzer,
  parameters: Bm25Parameters,
  path: string | undefined,
  index: InvertedIndex,
): Bm25Retriever {
  const manifest: SparseIndexManifest = Object.freeze({ kind: 'sparse', analyzer: analyzer.id });

  const toBytes = () =>
    encodeIndexFile(
      {
        manifest,
        analyzer: { id: analyzer.id, ...(analyzer.config ? { config: analyzer.config } : {}) },
        parameters,
      },
      index.snapshot(),
    );

  const writeFile = async (target: string) => {
    if (typeof target !== 'string' || target.length === 0) {
      throw new RagloomError('INVALID_ARGUMENT', 'writing a BM25 index needs a file path');
    }
    await writeFileBytes(target, toBytes());
  };

  return {
    specificationVersion: 'v1',
    provider: 'bm25',
    manifest,
    // Persistent when it has a file; one without a file has no save() (its bytes: toBytes, writeFile).
    capabilities: { query: 'text', scan: true, persistent: path !== undefined },
    analyzer,
    parameters,
    path,
    ...(path !== undefined ? { save: (target: string = path) => writeFile(target) } : {}),
    writeFile,

    async upsert(records, options = {}) {
      const { signal, onProgress } = options;
      checkUpsert(records, manifest, signal); // a rejected batch indexes nothing
      const total = records.length;
      const analyzed: AnalyzedDocument[] = [];
      let sliceStart = Date.now();
      for (let i = 0; i < total; i++) {
        const record = records[i]!;
        const { counts, length } = countTerms(analyzer, record.text, `records[${i}] (id "${record.id}")`);
        analyzed.push({
          id: record.id,
          text: record.text,
          metadata: { ...record.metadata },
          termCounts: counts,
          length,
        });
        if (Date.now() - sliceStart >= SLICE_MS && i + 1 < total) {
          onProgress?.({ phase: 'analyze', completed: i + 1, total });
          await yieldToEventLoop();
          throwIfAborted(signal, 'upsert');
          sliceStart = Date.now();
        }
      }
      onProgress?.({ phase: 'analyze', completed: total, total });
      // Applied in one synchronous step: a search never sees half of a batch.
      for (const document of analyzed) index.put(document);
      onProgress?.({ phase: 'index', completed: total, total });
    },

    async delete(selector) {
      validateSelector(selector);
      if ('ids' in selector) {
        let deleted = 0;
        for (const id of new Set(selector.ids)) if (index.remove(id)) deleted++;
        return { deleted };
      }
      return { deleted: index.removeWhere(compileFilter(selector.filter)) };
    },

    async search(request) {
      checkSearch(request, manifest);
      const predicate = request.filter === undefined ? undefined : compileFilter(request.filter);
      const { counts } = countTerms(analyzer, request.text!, 'the query');
      return index.search(counts, request.k, parameters, predicate).map(({ document, score }) => ({
        id: document.id,
        score,
        text: document.text,
        metadata: document.metadata,
      }));
    },

    async count(filter?: Filter) {
      return index.count(filter === undefined ? undefined : compileFilter(filter));
    },

    async *scan(options = {}) {
      const size = options.batchSize ?? 1000;
      if (!Number.isInteger(size) || size < 1) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `batchSize must be a positive integer, got ${String(size)}`,
        );
      }
      // A copy of the document list: the index may change (and compact) while the caller iterates.
      const documents = [...index.documents()];
      for (let i = 0; i < documents.length; i += size) {
        throwIfAborted(options.signal, 'scan');
        yield documents.slice(i, i + size).map((d) => ({ id: d.id, text: d.text, metadata: d.metadata }));
      }
    },

    toBytes,
    stats: () => index.stats(),
    statistics: () => index.stats(),
  };
}

/** A new, empty BM25 index; persistent (with `save()`) when given a `path`. */
export function createBm25Retriever(
  options: Bm25RetrieverOptions & { readonly path: string },
): PersistentBm25Retriever;
export function createBm25Retriever(options?: Bm25RetrieverOptions): Bm25Retriever;
export function createBm25Retriever(options: Bm25RetrieverOptions = {}): Bm25Retriever {
  const analyzer = resolveAnalyzer(options.analyzer);
  const parameters = resolveBm25Parameters(options);
  return buildRetriever(analyzer, parameters, options.path, createInvertedIndex());
}

function analyzerForStoredIndex(
  stored: { id: string; config?: AnalyzerConfig },
  given: LoadBm25RetrieverOptions['analyzer'],
  source: string,
): Analyzer {
  if (given !== undefined) {
    const analyzer = resolveAnalyzer(given);
    assertManifestMatches(
      { kind: 'sparse', analyzer: stored.id },
      { kind: 'sparse', analyzer: analyzer.id },
      source,
    );
    return analyzer;
  }
  if (stored.config === undefined) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${source} was built with the custom analyzer "${stored.id}"; pass it as the \`analyzer\` option`,
      { details: { analyzer: stored.id } },
    );
  }
  const analyzer = createAnalyzer(stored.config);
  // E.g. built where ICU had CJK dictionaries, opened on a runtime without them: the terms would differ.
  assertManifestMatches(
    { kind: 'sparse', analyzer: stored.id },
    { kind: 'sparse', analyzer: analyzer.id },
    `${source} (analyzer rebuilt on this runtime)`,
  );
  return analyzer;
}

function fromDecoded(
  bytes: Uint8Array,
  source: string,
  path: string | undefined,
  options: LoadBm25RetrieverOptions,
): Bm25Retriever {
  const { header, snapshot } = decodeIndexFile(bytes, source);
  let index: InvertedIndex;
  try {
    index = createInvertedIndex(snapshot as IndexSnapshot);
  } catch (error) {
    if (RagloomError.isInstance(error, 'INDEX_CORRUPT')) {
      throw new RagloomError('INDEX_CORRUPT', `${source} is damaged: ${error.message}`, {
        details: { source },
      });
    }
    throw error;
  }
  const analyzer = analyzerForStoredIndex(header.analyzer, options.analyzer, source);
  const parameters = resolveBm25Parameters(options, header.parameters);
  return buildRetriever(analyzer, parameters, path, index);
}

/**
 * Opens an index file written by `save()`. Damage (truncation, flipped bytes, another format version)
 * is `INDEX_CORRUPT`; a missing file is `NOT_FOUND`; an analyzer other than the stored one is
 * `MANIFEST_MISMATCH`. `save()` on the result writes back to `path`.
 */
export async function loadBm25Retriever(
  path: string,
  options: LoadBm25RetrieverOptions = {},
): Promise<PersistentBm25Retriever> {
  const bytes = await readFileBytes(path);
  return withFile(fromDecoded(bytes, path, path, options));
}

/** Rebuilds an index from `toBytes()` output (verified as a file would be); persistent when given a `path`. */
export function bm25RetrieverFromBytes(
  bytes: Uint8Array,
  options: LoadBm25RetrieverOptions & { readonly path: string },
): PersistentBm25Retriever;
export function bm25RetrieverFromBytes(
  bytes: Uint8Array,
  options?: LoadBm25RetrieverOptions & { readonly path?: string },
): Bm25Retriever;
export function bm25RetrieverFromBytes(
  bytes: Uint8Array,
  options: LoadBm25RetrieverOptions & { readonly path?: string } = {},
): Bm25Retriever {
  return fromDecoded(bytes, 'BM25 index bytes', options.path, options);
}

/** Loads the index at `options.path` if the file exists, else creates an empty one that saves there. */
export async function openBm25Retriever(
  options: Bm25RetrieverOptions & { readonly path: string },
): Promise<PersistentBm25Retriever> {
  if (await fileExists(options.path)) return loadBm25Retriever(options.path, options);
  return createBm25Retriever(options);
}
