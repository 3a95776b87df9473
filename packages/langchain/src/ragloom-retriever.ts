import type { CallbackManagerForRetrieverRun } from '@langchain/core/callbacks/manager';
import { BaseRetriever, type BaseRetrieverInput } from '@langchain/core/retrievers';
import {
  createPipeline,
  type EncoderV1,
  type Filter,
  type Pipeline,
  parseFilter,
  RagloomError,
  type RerankerV1,
  type RetrieverV1,
} from '@ragloom/core';
import { type InferOptionsInput, option, parseOptions } from '@ragloom/core/adapter';
import { passageToDocument, type RagloomDocument } from './ragloom-documents.js';

const hasMethod = (name: string) => (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as Record<string, unknown>)[name] === 'function';

export const ragloomRetrieverOptions = option.object({
  /** A ragloom pipeline: its `retrieve` (encoder, every retriever fused, reranker) answers each query. */
  pipeline: option
    .custom<Pick<Pipeline, 'retrieve'>>('a ragloom pipeline (with retrieve)', hasMethod('retrieve'))
    .optional(),
  /** Or ragloom retrievers directly (dense ones need `encoder`); several are fused by reciprocal rank fusion. */
  retrievers: option
    .array(option.custom<RetrieverV1>('a ragloom retriever (RetrieverV1)', hasMethod('search')), {
      minItems: 1,
    })
    .optional(),
  encoder: option.custom<EncoderV1>('a ragloom encoder (EncoderV1)', hasMethod('embed')).optional(),
  reranker: option.custom<RerankerV1>('a ragloom reranker (RerankerV1)', hasMethod('rerank')).optional(),
  k: option
    .integer({ min: 1, max: 1000 })
    .default(4)
    .describe('Documents per query (LangChain retrievers default to 4).'),
  filter: option.record(option.unknown()).optional().describe('A ragloom filter applied to every query.'),
  /** LangChain's own retriever fields: callbacks, tags, metadata, verbose. */
  fields: option
    .custom<BaseRetrieverInput>('BaseRetriever fields', (v) => typeof v === 'object' && v !== null)
    .optional(),
});

export type RagloomRetrieverOptions = InferOptionsInput<typeof ragloomRetrieverOptions>;

/**
 * ragloom retrieval as a LangChain retriever: `invoke(query)` returns `Document`s with the chunk's text, its
 * metadata, and ragloom's (`metadata.ragloom`: rank number, chunk and document id, source, score, offsets), so
 * a LangChain chain can cite what ragloom found. LangChain's retriever contract is this base class, so it is
 * extended here (the one place ragloom subclasses a vendor type).
 */
export class RagloomRetriever extends BaseRetriever<RagloomDocument['metadata']> {
  static override lc_name() {
    return 'RagloomRetriever';
  }
  override lc_namespace = ['ragloom', 'retrievers'];
  readonly k: number;
  readonly filter: Filter | undefined;
  readonly #pipeline: Pick<Pipeline, 'retrieve'>;

  constructor(input: RagloomRetrieverOptions) {
    const options = parseOptions(ragloomRetrieverOptions, input, { component: 'RagloomRetriever' });
    super(options.fields);
    if (options.filter !== undefined) parseFilter(options.filter);
    this.k = options.k;
    this.filter = options.filter as Filter | undefined;
    if (options.pipeline && options.retrievers) {
      throw new RagloomError(
        'INVALID_CONFIG',
        'RagloomRetriever takes `pipeline` or `retrievers`, not both',
        {
          details: {
            component: 'RagloomRetriever',
            issues: [{ path: 'retrievers', message: 'not with pipeline' }],
          },
        },
      );
    }
    if (options.pipeline) this.#pipeline = options.pipeline;
    else if (options.retrievers) {
      this.#pipeline = createPipeline({
        retrievers: options.retrievers,
        encoder: options.encoder,
        reranker: options.reranker,
      });
    } else {
      throw new RagloomError('INVALID_CONFIG', 'RagloomRetriever needs `pipeline` or `retrievers`', {
        details: {
          component: 'RagloomRetriever',
          issues: [{ path: 'pipeline', message: 'required (or retrievers)' }],
        },
      });
    }
  }

  override async _getRelevantDocuments(
    query: string,
    _run?: CallbackManagerForRetrieverRun,
  ): Promise<RagloomDocument[]> {
    const passages = await this.#pipeline.retrieve(query, {
      k: this.k,
      ...(this.filter ? { filter: this.filter } : {}),
    });
    return passages.map(passageToDocument);
  }
}
