import { createRecursiveChunker } from '../chunking/recursive-chunker.js';
import { RagloomError } from '../errors/ragloom-error.js';
import type { Filter } from '../filter/filter-types.js';
import { parseFilter } from '../filter/parse-filter.js';
import { type FusedHit, reciprocalRankFusion, weightedScoreFusion } from '../fusion/fusion.js';
import { parseCitations } from '../prompt/citations.js';
import { buildRagPrompt } from '../prompt/rag-prompt.js';
import { assertPositiveInteger } from '../retriever/retriever-validation.js';
import type { ChunkerV1 } from '../spec/chunker-v1.js';
import type { EncoderV1 } from '../spec/encoder-v1.js';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GeneratorV1,
  TokenUsage,
} from '../spec/generator-v1.js';
import type { RerankerV1 } from '../spec/reranker-v1.js';
import type { RetrieverRecord, RetrieverV1, SearchHit } from '../spec/retriever-v1.js';
import type { Chunk, Document } from '../spec/shared-types.js';
import { throwIfAborted } from '../util/abort.js';
import { extractiveAnswer } from './extractive-answer.js';
import { type Citation, citationFor, type RetrievedPassage, toPassage } from './passage.js';

/** A retriever in a pipeline, with how many candidates to take from it and its weight in fusion. */
export interface RetrieverBinding {
  readonly retriever: RetrieverV1;
  /** Name used in passage `sources` (default `${provider}-${index}`). */
  readonly name?: string;
  /** Candidates fetched from this retriever (default: the pipeline's candidateK). */
  readonly k?: number;
  /** Weight in fusion (default 1). */
  readonly weight?: number;
}

export interface PipelineOptions {
  /** Required when any retriever is dense; its model id must match their manifests. */
  readonly encoder?: EncoderV1;
  /** One or more retrievers; several are fused (hybrid search). */
  readonly retrievers: readonly (RetrieverV1 | RetrieverBinding)[];
  /** Default: recursive, 1000 characters, 100 overlap. */
  readonly chunker?: ChunkerV1;
  readonly reranker?: RerankerV1;
  /** Without a generator, `ask` answers extractively (quoted sentences with citations). */
  readonly generator?: GeneratorV1;
  /** 'rrf' (default, k = 60) or 'weighted' (min-max normalised scores). */
  readonly fusion?: 'rrf' | 'weighted';
  readonly rrfK?: number;
  /** Candidates per retriever before fusion and reranking (default 20). */
  readonly candidateK?: number;
  /** Passages given to the generator (default 5). */
  readonly topK?: number;
  /** Chunks per embed + upsert batch during ingest (default: the encoder's maxBatchSize, capped at 64). */
  readonly batchSize?: number;
  /** Replaces the default RAG instructions. */
  readonly systemPrompt?: string;
}

export interface IngestProgress {
  readonly phase: 'chunking' | 'embedding' | 'upserting' | 'done';
  readonly documents: number;
  readonly totalDocuments?: number;
  readonly chunks: number;
}

export interface IngestOptions {
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: IngestProgress) => void;
  readonly batchSize?: number;
  /**
   * Remove a document's previous chunks before storing the new ones (default true), so a shorter
   * new version leaves no stale tail behind.
   */
  readonly replaceExisting?: boolean;
}

export interface IngestResult {
  readonly documents: number;
  readonly chunks: number;
}

export interface RetrieveOptions {
  /** Passages to return (default: the pipeline's topK). */
  readonly k?: number;
  readonly filter?: Filter;
  readonly signal?: AbortSignal;
}

export interface AskOptions extends RetrieveOptions {
  /** Earlier turns of a chat. */
  readonly history?: readonly ChatMessage[];
  /** Generation settings passed to the generator (maxTokens, temperature, ...). */
  readonly generation?: Omit<GenerateRequest, 'messages' | 'signal'>;
}

export type AnswerMode = 'generated' | 'extractive';

export interface AskResult {
  readonly answer: string;
  readonly citations: Citation[];
  readonly passages: RetrievedPassage[];
  readonly mode: AnswerMode;
  readonly finishReason: FinishReason;
  readonly usage?: TokenUsage;
}

export type AskStreamPart =
  | { readonly type: 'passages'; readonly passages: RetrievedPassage[]; readonly mode: AnswerMode }
  | { readonly type: 'text-delta'; readonly delta: string }
  | ({ readonly type: 'finish' } & AskResult);

export interface Pipeline {
  ingest(
    documents: Iterable<Document> | AsyncIterable<Document>,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  /** Removes every chunk of these documents from every retriever. */
  deleteDocuments(documentIds: readonly string[]): Promise<{ deleted: number }>;
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievedPassage[]>;
  ask(question: string, options?: AskOptions): Promise<AskResult>;
  askStream(question: string, options?: AskOptions): AsyncIterable<AskStreamPart>;
}

export const NO_PASSAGES_ANSWER =
  'I could not find anything relevant to this question in the indexed documents.';

const sourceOf = (p: RetrievedPassage) => {
  const s = p.metadata.source ?? p.metadata.path ?? p.metadata.title;
  return typeof s === 'string' ? s : p.documentId;
};

/**
 * Composes ragloom components into a RAG pipeline: `ingest` (chunk → embed → upsert, batched,
 * abortable, with progress) and `ask` (embed → retrieve from one or more retrievers → fuse → rerank
 * → prompt → generate), returning the answer with citations mapped back to chunks and offsets.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const bindings = (options.retrievers ?? []).map(
    (r, i): Required<Omit<RetrieverBinding, 'k'>> & { k?: number } => {
      const b = 'retriever' in r ? r : { retriever: r };
      return {
        retriever: b.retriever,
        name: b.name ?? `${b.retriever.provider}-${i}`,
        k: b.k,
        weight: b.weight ?? 1,
      };
    },
  );
  if (bindings.length === 0)
    throw new RagloomError('INVALID_CONFIG', 'a pipeline needs at least one retriever');
  const { encoder } = options;
  for (const b of bindings) {
    const m = b.retriever.manifest;
    if (m.kind !== 'dense') continue;
    if (!encoder) {
      throw new RagloomError(
        'INVALID_CONFIG',
        `retriever "${b.name}" is dense, so the pipeline needs an encoder`,
      );
    }
    if (m.encoderModelId !== encoder.modelId || m.dimension !== encoder.dimension) {
      throw new RagloomError(
        'MANIFEST_MISMATCH',
        `retriever "${b.name}" holds vectors of "${m.encoderModelId}" (dimension ${m.dimension}) but the encoder is ` +
          `"${encoder.modelId}" (dimension ${encoder.dimension}); use that encoder or re-ingest into a new index`,
        {
          details: {
            retriever: b.name,
            index: m,
            encoder: { modelId: encoder.modelId, dimension: encoder.dimension },
          },
        },
      );
    }
  }
  const needsVectors = bindings.some((b) => b.retriever.manifest.kind === 'dense');
  const chunker = options.chunker ?? createRecursiveChunker({ chunkSize: 1000, chunkOverlap: 100 });
  const candidateK = options.candidateK ?? 20;
  const topK = options.topK ?? 5;
  assertPositiveInteger(candidateK, 'candidateK');
  assertPositiveInteger(topK, 'topK');
  const defaultBatch = Math.min(64, encoder?.maxBatchSize ?? 64);

  async function flush(
    chunks: Chunk[],
    signal: AbortSignal | undefined,
    progress: (phase: IngestProgress['phase']) => void,
  ) {
    let vectors: Float32Array[] | undefined;
    if (needsVectors) {
      progress('embedding');
      vectors = (await encoder!.embed({ texts: chunks.map((c) => c.text), inputType: 'document', signal }))
        .embeddings;
    }
    progress('upserting');
    const records = chunks.map(
      (c, i): RetrieverRecord => ({
        id: c.id,
        text: c.text,
        metadata: {
          ...c.metadata,
          documentId: c.documentId,
          chunkIndex: c.index,
          start: c.start,
          end: c.end,
        },
        vector: vectors?.[i],
      }),
    );
    for (const b of bindings) {
      throwIfAborted(signal, 'ingest');
      const dense = b.retriever.manifest.kind === 'dense';
      await b.retriever.upsert(dense ? records : records.map(({ vector: _v, ...r }) => r), { signal });
    }
  }

  async function deleteDocuments(documentIds: readonly string[]) {
    if (documentIds.length === 0) return { deleted: 0 };
    let deleted = 0;
    for (const b of bindings) {
      deleted += (await b.retriever.delete({ filter: { documentId: { $in: [...documentIds] } } })).deleted;
    }
    return { deleted };
  }

  async function ingest(
    documents: Iterable<Document> | AsyncIterable<Document>,
    opts: IngestOptions = {},
  ): Promise<IngestResult> {
    const { signal } = opts;
    const batchSize = opts.batchSize ?? options.batchSize ?? defaultBatch;
    assertPositiveInteger(batchSize, 'batchSize');
    const replace = opts.replaceExisting ?? true;
    const totalDocuments = Array.isArray(documents) ? documents.length : undefined;
    let docCount = 0;
    let chunkCount = 0;
    let pending: Chunk[] = [];
    const cleared = new Set<string>();
    const progress = (phase: IngestProgress['phase']) =>
      opts.onProgress?.({ phase, documents: docCount, totalDocuments, chunks: chunkCount });

    const flushPending = async () => {
      if (pending.length === 0) return;
      if (replace) {
        const fresh = [...new Set(pending.map((c) => c.documentId))].filter((id) => !cleared.has(id));
        for (const id of fresh) cleared.add(id);
        await deleteDocuments(fresh);
      }
      const batch = pending;
      pending = [];
      await flush(batch, signal, progress);
      chunkCount += batch.length;
      progress('upserting');
    };

    throwIfAborted(signal, 'ingest');
    for await (const document of documents) {
      throwIfAborted(signal, 'ingest');
      const chunks = await chunker.chunk(document);
      docCount++;
      progress('chunking');
      for (const chunk of chunks) {
        pending.push(chunk);
        if (pending.length >= batchSize) await flushPending();
      }
      if (chunks.length === 0 && replace && !cleared.has(document.id)) {
        cleared.add(document.id);
        await deleteDocuments([document.id]); // an emptied document loses its old chunks too
      }
    }
    await flushPending();
    // Only persistent retrievers are saved (the spec: save is present iff capabilities.persistent); a
    // host that saves at its own checkpoints hands the pipeline views without save().
    for (const b of bindings) if (b.retriever.capabilities.persistent) await b.retriever.save?.();
    progress('done');
    return { documents: docCount, chunks: chunkCount };
  }

  async function retrieve(query: string, opts: RetrieveOptions = {}): Promise<RetrievedPassage[]> {
    if (typeof query !== 'string' || query.trim() === '') {
      throw new RagloomError('INVALID_ARGUMENT', 'the query must be a non-empty string');
    }
    const k = opts.k ?? topK;
    assertPositiveInteger(k, 'k');
    if (opts.filter !== undefined) parseFilter(opts.filter); // fail before any embedding work
    const { signal, filter } = opts;
    throwIfAborted(signal, 'retrieve');
    const vector = needsVectors
      ? (await encoder!.embed({ texts: [query], inputType: 'query', signal })).embeddings[0]
      : undefined;
    const lists: SearchHit[][] = await Promise.all(
      bindings.map((b) =>
        b.retriever.search(
          b.retriever.manifest.kind === 'dense'
            ? { vector, k: b.k ?? Math.max(candidateK, k), filter, encoderModelId: encoder!.modelId, signal }
            : { text: query, k: b.k ?? Math.max(candidateK, k), filter, signal },
        ),
      ),
    );
    let candidates: (SearchHit & Partial<Pick<FusedHit, 'sources'>>)[];
    if (lists.length === 1) {
      candidates = lists[0]!.map((h, i) => ({ ...h, sources: [{ list: 0, rank: i + 1, score: h.score }] }));
    } else {
      const weights = bindings.map((b) => b.weight);
      candidates =
        options.fusion === 'weighted'
          ? weightedScoreFusion(lists, { weights })
          : reciprocalRankFusion(lists, { weights, k: options.rrfK ?? 60 });
    }
    const named = (hit: (typeof candidates)[number]) => ({
      ...toPassage(hit),
      sources: hit.sources?.map((s) => ({ retriever: bindings[s.list]!.name, rank: s.rank, score: s.score })),
    });
    if (!options.reranker || candidates.length === 0) return candidates.slice(0, k).map(named);
    const pool = candidates.slice(0, Math.max(candidateK, k));
    const reranked = await options.reranker.rerank({
      query,
      documents: pool.map((c) => c.text),
      topK: k,
      signal,
    });
    return reranked.map((r) => ({ ...named(pool[r.index]!), score: r.score, rerankScore: r.score }));
  }

  function finishFromAnswer(
    answer: string,
    passages: RetrievedPassage[],
    extra: { finishReason: FinishReason; usage?: TokenUsage },
  ): AskResult {
    const citations = parseCitations(answer, passages.length).map((n) => citationFor(n, passages[n - 1]!));
    return { answer, citations, passages, mode: 'generated', ...extra };
  }

  function messagesFor(question: string, passages: RetrievedPassage[], opts: AskOptions): ChatMessage[] {
    return buildRagPrompt({
      question,
      passages: passages.map((p) => ({ text: p.text, source: sourceOf(p) })),
      history: opts.history,
      system: options.systemPrompt,
    });
  }

  async function* askStream(question: string, opts: AskOptions = {}): AsyncGenerator<AskStreamPart> {
    const passages = await retrieve(question, opts);
    const mode: AnswerMode = options.generator ? 'generated' : 'extractive';
    yield { type: 'passages', passages, mode };
    if (passages.length === 0) {
      yield { type: 'text-delta', delta: NO_PASSAGES_ANSWER };
      yield {
        type: 'finish',
        answer: NO_PASSAGES_ANSWER,
        citations: [],
        passages,
        mode,
        finishReason: 'stop',
      };
      return;
    }
    if (!options.generator) {
      const { answer, citations } = extractiveAnswer(question, passages);
      const text = answer || NO_PASSAGES_ANSWER;
      yield { type: 'text-delta', delta: text };
      yield { type: 'finish', answer: text, citations, passages, mode, finishReason: 'stop' };
      return;
    }
    let answer = '';
    for await (const part of options.generator.stream({
      ...opts.generation,
      messages: messagesFor(question, passages, opts),
      signal: opts.signal,
    })) {
      if (part.type === 'text-delta') {
        answer += part.delta;
        yield part;
      } else {
        yield { type: 'finish', ...finishFromAnswer(answer, passages, part) };
      }
    }
  }

  async function ask(question: string, opts: AskOptions = {}): Promise<AskResult> {
    if (!options.generator) {
      for await (const part of askStream(question, opts)) {
        if (part.type !== 'finish') continue;
        const { type: _type, ...result } = part;
        return result;
      }
    } else {
      const passages = await retrieve(question, opts);
      if (passages.length === 0) {
        return {
          answer: NO_PASSAGES_ANSWER,
          citations: [],
          passages,
          mode: 'generated',
          finishReason: 'stop',
        };
      }
      const result = await options.generator.generate({
        ...opts.generation,
        messages: messagesFor(question, passages, opts),
        signal: opts.signal,
      });
      return finishFromAnswer(result.text, passages, result);
    }
    throw new RagloomError('UPSTREAM_ERROR', 'the answer stream ended without a result');
  }

  return { ingest, deleteDocuments, retrieve, ask, askStream };
}
