import { RagloomError } from '../errors/ragloom-error.js';
import type { Filter } from '../filter/filter-types.js';
import { type FusedHit, reciprocalRankFusion, weightedScoreFusion } from '../fusion/fusion.js';
import type { EncoderV1 } from '../spec/encoder-v1.js';
import type { RerankerV1 } from '../spec/reranker-v1.js';
import type { RetrieverV1, SearchHit } from '../spec/retriever-v1.js';
import { type RetrievedPassage, toPassage } from './passage.js';

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

/** A binding with its defaults filled in. */
export interface BoundRetriever {
  readonly retriever: RetrieverV1;
  readonly name: string;
  readonly k?: number;
  readonly weight: number;
  readonly dense: boolean;
}

/** Names each retriever and fills in its weight; a pipeline needs at least one. */
export function bindRetrievers(retrievers: readonly (RetrieverV1 | RetrieverBinding)[]): BoundRetriever[] {
  const bound = retrievers.map((r, i): BoundRetriever => {
    const b = 'retriever' in r ? r : { retriever: r };
    return {
      retriever: b.retriever,
      name: b.name ?? `${b.retriever.provider}-${i}`,
      k: b.k,
      weight: b.weight ?? 1,
      dense: b.retriever.manifest.kind === 'dense',
    };
  });
  if (bound.length === 0) throw new RagloomError('INVALID_CONFIG', 'a pipeline needs at least one retriever');
  return bound;
}

/** Dense retrievers need an encoder, and one whose model and dimension match what they hold. */
export function assertEncoderFits(bound: readonly BoundRetriever[], encoder: EncoderV1 | undefined): void {
  for (const b of bound) {
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
}

/** The query vector (when any retriever is dense) and the tokens embedding it took. */
export interface QueryEmbedding {
  readonly vector?: Float32Array;
  readonly tokens?: number;
}

/** Embeds the query once for all dense retrievers; nothing to do when every retriever is lexical. */
export async function embedQuery(
  encoder: EncoderV1 | undefined,
  bound: readonly BoundRetriever[],
  query: string,
  signal: AbortSignal | undefined,
): Promise<QueryEmbedding> {
  if (!encoder || !bound.some((b) => b.dense)) return {};
  const result = await encoder.embed({ texts: [query], inputType: 'query', signal });
  return { vector: result.embeddings[0], tokens: result.usage?.tokens };
}

export interface FanOutRequest {
  readonly query: string;
  readonly embedding: QueryEmbedding;
  readonly encoderModelId?: string;
  /** Candidates per retriever unless its binding says otherwise. */
  readonly k: number;
  readonly filter?: Filter;
  readonly signal?: AbortSignal;
}

/** Searches every retriever at once: dense ones by vector, lexical ones by text. One hit list each. */
export function searchAll(bound: readonly BoundRetriever[], request: FanOutRequest): Promise<SearchHit[][]> {
  const { query, embedding, encoderModelId, filter, signal } = request;
  return Promise.all(
    bound.map((b) =>
      b.retriever.search(
        b.dense
          ? { vector: embedding.vector, k: b.k ?? request.k, filter, encoderModelId, signal }
          : { text: query, k: b.k ?? request.k, filter, signal },
      ),
    ),
  );
}

export interface FusionSettings {
  /** 'rrf' (default, k = 60) or 'weighted' (min-max normalised scores). */
  readonly fusion?: 'rrf' | 'weighted';
  readonly rrfK?: number;
}

/** One ranked list from several: RRF or weighted fusion; a single list passes through with its ranks. */
export function fuseLists(
  lists: readonly SearchHit[][],
  bound: readonly BoundRetriever[],
  settings: FusionSettings,
): FusedHit[] {
  if (lists.length === 1) {
    return lists[0]!.map((h, i) => ({ ...h, sources: [{ list: 0, rank: i + 1, score: h.score }] }));
  }
  const weights = bound.map((b) => b.weight);
  return settings.fusion === 'weighted'
    ? weightedScoreFusion(lists, { weights })
    : reciprocalRankFusion(lists, { weights, k: settings.rrfK ?? 60 });
}

/** A fused hit as a passage, its per-list sources named after their retrievers. */
export function namedPassage(hit: FusedHit, bound: readonly BoundRetriever[]): RetrievedPassage {
  return {
    ...toPassage(hit),
    sources: hit.sources.map((s) => ({ retriever: bound[s.list]!.name, rank: s.rank, score: s.score })),
  };
}

/** Reorders the candidate pool with the reranker and keeps its best `k`, scored by it. */
export async function rerankPassages(
  reranker: RerankerV1,
  query: string,
  pool: readonly RetrievedPassage[],
  k: number,
  signal: AbortSignal | undefined,
): Promise<RetrievedPassage[]> {
  if (pool.length === 0) return [];
  const reranked = await reranker.rerank({ query, documents: pool.map((c) => c.text), topK: k, signal });
  return reranked.map((r) => ({ ...pool[r.index]!, score: r.score, rerankScore: r.score }));
}
