import { compareHits, validateRecords, validateSearchRequest } from '../retriever/retriever-validation.js';
import type { RetrieverRecord, RetrieverV1, SearchHit, SparseIndexManifest } from '../spec/retriever-v1.js';
import type { Metadata } from '../spec/shared-types.js';
import { simpleTokenize } from '../text/simple-tokenize.js';
import { throwIfAborted } from '../util/abort.js';
import { matchingRecords, recordMapOperations } from './memory-records.js';

interface StoredRecord {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
  readonly termCounts: ReadonlyMap<string, number>;
}

/**
 * The reference lexical retriever: TF-IDF over `simpleTokenize` terms, exhaustively scored in memory.
 * A hit must share at least one term with the query. It exists so that text-query code paths and the
 * conformance suite's text mode have a ground truth; @ragloom/retriever-bm25 is the real thing.
 */
export function createMemoryKeywordRetriever(): RetrieverV1 {
  const manifest: SparseIndexManifest = { kind: 'sparse', analyzer: 'ragloom-simple-v1' };
  const records = new Map<string, StoredRecord>();

  const documentFrequency = (term: string): number => {
    let n = 0;
    for (const r of records.values()) if (r.termCounts.has(term)) n++;
    return n;
  };

  return {
    specificationVersion: 'v1',
    provider: 'memory-keyword',
    manifest,
    capabilities: { query: 'text', scan: true, persistent: false },
    ...recordMapOperations(records, (r) => ({ id: r.id, text: r.text, metadata: r.metadata })),

    async upsert(batch: readonly RetrieverRecord[], opts?: { signal?: AbortSignal }) {
      throwIfAborted(opts?.signal, 'upsert');
      validateRecords(batch, manifest);
      for (const record of batch) {
        const termCounts = new Map<string, number>();
        for (const t of simpleTokenize(record.text)) termCounts.set(t, (termCounts.get(t) ?? 0) + 1);
        records.set(record.id, {
          id: record.id,
          text: record.text,
          metadata: { ...record.metadata },
          termCounts,
        });
      }
    },

    async search(request) {
      throwIfAborted(request.signal, 'search');
      validateSearchRequest(request, manifest);
      const terms = [...new Set(simpleTokenize(request.text!))];
      const n = records.size;
      const idf = new Map(
        terms.map((t) => [t, Math.log(1 + (n - documentFrequency(t) + 0.5) / (documentFrequency(t) + 0.5))]),
      );
      const hits: SearchHit[] = [];
      for (const r of matchingRecords(records, request.filter)) {
        let score = 0;
        for (const t of terms) {
          const tf = r.termCounts.get(t);
          if (tf) score += (1 + Math.log(tf)) * idf.get(t)!;
        }
        if (score > 0) hits.push({ id: r.id, score, text: r.text, metadata: r.metadata });
      }
      hits.sort(compareHits);
      return hits.slice(0, request.k);
    },
  };
}
