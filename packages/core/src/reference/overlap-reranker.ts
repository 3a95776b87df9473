import { RagloomError } from '../errors/ragloom-error.js';
import { assertPositiveInteger } from '../retriever/retriever-validation.js';
import type { RerankerV1, RerankRequest, RerankResult } from '../spec/reranker-v1.js';
import { simpleTokenize } from '../text/simple-tokenize.js';
import { throwIfAborted } from '../util/abort.js';

/**
 * The reference reranker: the fraction of distinct query terms found in the passage (CJK-aware via
 * simpleTokenize). No model, no semantics; it keeps rerank stages testable and is the no-model
 * fallback of the pipeline.
 */
export function createOverlapReranker(): RerankerV1 {
  return {
    specificationVersion: 'v1',
    provider: 'overlap',
    modelId: 'ragloom/term-overlap',
    async rerank(request: RerankRequest): Promise<RerankResult[]> {
      throwIfAborted(request?.signal, 'rerank');
      if (typeof request?.query !== 'string') {
        throw new RagloomError('INVALID_ARGUMENT', 'rerank needs a `query` string');
      }
      if (!Array.isArray(request.documents) || request.documents.some((d) => typeof d !== 'string')) {
        throw new RagloomError('INVALID_ARGUMENT', 'rerank needs `documents` as an array of strings');
      }
      if (request.topK !== undefined) assertPositiveInteger(request.topK, 'topK');
      const queryTerms = [...new Set(simpleTokenize(request.query))];
      const results = request.documents.map((doc, index) => {
        const terms = new Set(simpleTokenize(doc));
        const hits = queryTerms.filter((t) => terms.has(t)).length;
        return { index, score: queryTerms.length === 0 ? 0 : hits / queryTerms.length };
      });
      results.sort((a, b) => b.score - a.score || a.index - b.index);
      return request.topK === undefined ? results : results.slice(0, request.topK);
    },
  };
}
