import { performance } from 'node:perf_hooks';
import {
  type EncoderV1,
  type Filter,
  mapWithConcurrency,
  type ProgressEvent,
  RagloomError,
  type RetrieverV1,
  throwIfAborted,
} from '@ragloom/core';
import type { MeasureInput } from '../retrieval/retrieval-measures.js';
import type { Qrels } from '../retrieval/retrieval-types.js';
import { evaluateRun, type RetrievalEvaluationOptions, resolveMeasures } from '../retrieval/trec-eval.js';
import { latencyHistogram, summarizeLatency } from './latency.js';
import { openResultCache } from './result-cache.js';
import type { RetrievalQueryRecord, RetrievalRunResult } from './run-types.js';

/**
 * A whole retrieval system as a function — e.g. a pipeline with fusion and reranking — so it is scored like
 * a retriever: the ranked hits of a query, and the tokens it embedded for it.
 */
export type SearchFunction = (
  query: string,
  context: { readonly k: number; readonly filter?: Filter; readonly signal?: AbortSignal },
) => Promise<{
  readonly hits: readonly { readonly id: string; readonly score: number }[];
  readonly embeddingTokens?: number;
  /** Of the query's latency, the milliseconds spent embedding it, when known. */
  readonly embedMs?: number;
}>;

export interface EvaluateRetrieverOptions {
  /** Shown in reports (default: the retriever's provider, or "search"). */
  readonly name?: string;
  /** The retriever to score; or give `search` instead. */
  readonly retriever?: RetrieverV1;
  /** A retrieval system as a function (instead of `retriever`); it embeds queries itself. */
  readonly search?: SearchFunction;
  /** Embeds the queries for a dense (vector) retriever; required then, unused for text retrievers. */
  readonly encoder?: EncoderV1;
  readonly queries:
    | Iterable<{ readonly id: string; readonly text: string }>
    | AsyncIterable<{ readonly id: string; readonly text: string }>;
  readonly qrels: Qrels;
  /** Hits per query (default 100). */
  readonly k?: number;
  readonly measures?: readonly MeasureInput[];
  readonly filter?: Filter;
  /** Queries in flight at once (default 4). */
  readonly concurrency?: number;
  /** JSONL file that keeps each query's result as it finishes; an interrupted run resumes from it. */
  readonly cacheFile?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
  /** trec_eval options (-l, -c, tie handling). */
  readonly evaluation?: Omit<RetrievalEvaluationOptions, 'measures'>;
}

type CachedQuery = Omit<RetrievalQueryRecord, 'metrics' | 'text'>;

/** A retriever (with the encoder that embeds its queries, when it is dense) as a search function. */
function retrieverSearch(retriever: RetrieverV1, encoder: EncoderV1 | undefined): SearchFunction {
  const dense = retriever.capabilities?.query === 'vector';
  return async (text, { k, filter, signal }) => {
    if (!dense) return { hits: await retriever.search({ text, k, ...(filter ? { filter } : {}), signal }) };
    const t0 = performance.now();
    const embedded = await encoder!.embed({ texts: [text], inputType: 'query', signal });
    const embedMs = performance.now() - t0;
    const hits = await retriever.search({
      vector: embedded.embeddings[0],
      encoderModelId: encoder!.modelId,
      k,
      ...(filter ? { filter } : {}),
      signal,
    });
    return { hits, embedMs, ...(embedded.usage ? { embeddingTokens: embedded.usage.tokens } : {}) };
  };
}

/**
 * Runs every query through a retriever (embedding it first for dense retrievers), then scores the run
 * against the qrels with trec_eval's conventions. Reports per-query hits, scores and latency, latency
 * percentiles, embedding usage, and progress as queries finish; with `cacheFile` an interrupted run
 * picks up where it stopped.
 */
export async function evaluateRetriever(options: EvaluateRetrieverOptions): Promise<RetrievalRunResult> {
  const { retriever, encoder } = options;
  const k = options.k ?? 100;
  if (!Number.isInteger(k) || k < 1)
    throw new RagloomError('INVALID_ARGUMENT', `k must be a positive integer, got ${String(k)}`);
  if ((retriever === undefined) === (options.search === undefined)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'evaluateRetriever needs either a `retriever` or a `search` function',
    );
  }
  const search: SearchFunction = options.search ?? retrieverSearch(retriever!, encoder);
  const dense = retriever?.capabilities?.query === 'vector';
  if (dense && encoder === undefined) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      'this retriever searches by vector: pass the `encoder` that embeds the queries',
    );
  }
  const measures = resolveMeasures(options.measures);
  const queries: { id: string; text: string }[] = [];
  const seen = new Set<string>();
  for await (const q of options.queries) {
    if (typeof q?.id !== 'string' || typeof q.text !== 'string') {
      throw new RagloomError('INVALID_ARGUMENT', 'every query needs a string `id` and `text`');
    }
    if (seen.has(q.id)) throw new RagloomError('INVALID_ARGUMENT', `query id "${q.id}" appears twice`);
    seen.add(q.id);
    queries.push({ id: q.id, text: q.text });
  }
  const name = options.name ?? retriever?.provider ?? 'search';
  const config = {
    retriever: retriever?.provider ?? 'search function',
    manifest: retriever?.manifest ?? null,
    encoder: encoder?.modelId,
    k,
    filter: options.filter ?? null,
  };
  const cache = options.cacheFile
    ? await openResultCache<CachedQuery>(options.cacheFile, {
        kind: 'retrieval',
        ...config,
        queries: queries.length,
      })
    : undefined;
  const startedAt = new Date();
  const start = performance.now();
  let completed = 0;
  let resumed = 0;
  const total = queries.length;
  options.onProgress?.({ phase: 'retrieve', completed, total });

  const records = await mapWithConcurrency(
    queries,
    options.concurrency ?? 4,
    async (query): Promise<CachedQuery & { text: string }> => {
      const cached = cache?.entries.get(query.id);
      if (cached !== undefined) {
        resumed++;
        options.onProgress?.({
          phase: 'retrieve',
          completed: ++completed,
          total,
          message: `${query.id} (cached)`,
        });
        return { ...cached, text: query.text };
      }
      throwIfAborted(options.signal, 'evaluation');
      const t0 = performance.now();
      const { hits, embeddingTokens, embedMs } = await search(query.text, {
        k,
        ...(options.filter ? { filter: options.filter } : {}),
        signal: options.signal,
      });
      const t2 = performance.now();
      const record: CachedQuery = {
        id: query.id,
        hits: hits.map((h) => ({ id: h.id, score: h.score })),
        latencyMs: t2 - t0,
        ...(embedMs === undefined ? {} : { embedMs }),
        searchMs: t2 - t0 - (embedMs ?? 0),
        ...(embeddingTokens === undefined ? {} : { embeddingTokens }),
      };
      await cache?.put(query.id, record);
      options.onProgress?.({ phase: 'retrieve', completed: ++completed, total, message: query.id });
      return { ...record, text: query.text };
    },
    options.signal,
  );

  const evaluation = evaluateRun(options.qrels, new Map(records.map((r) => [r.id, r.hits])), {
    ...options.evaluation,
    measures,
  });
  const latencies = records.map((r) => r.latencyMs);
  return {
    kind: 'retrieval',
    name,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - start,
    config,
    measures: evaluation.measures,
    aggregate: evaluation.aggregate,
    evaluatedQueries: evaluation.evaluatedQueries,
    latency: summarizeLatency(latencies),
    latencyHistogram: latencyHistogram(latencies),
    usage: { embeddingTokens: records.reduce((n, r) => n + (r.embeddingTokens ?? 0), 0) },
    resumedQueries: resumed,
    queries: records.map((r) => {
      const metrics = Object.hasOwn(evaluation.perQuery, r.id) ? evaluation.perQuery[r.id] : undefined;
      return metrics === undefined ? r : { ...r, metrics };
    }),
  };
}
