import { type AnalyzerConfig, createBm25Retriever } from '@ragloom/retriever-bm25';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { fixed, printTable } from './bench-table.js';
import { meanOverQueries, ndcgAt, type RankedDocument, recallAt, reciprocalRankAt } from './trec-metrics.js';

export interface QualityRow {
  readonly label: string;
  readonly recall5: number;
  readonly mrr10: number;
  readonly ndcg10: number;
}

export async function evaluateBm25(
  data: BeirDataset,
  label: string,
  analyzer: AnalyzerConfig,
): Promise<QualityRow> {
  const retriever = createBm25Retriever({ analyzer });
  await retriever.upsert(data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) })));
  const run = new Map<string, RankedDocument[]>();
  for (const [queryId, text] of data.queries) {
    const hits = await retriever.search({ text, k: 10 });
    run.set(
      queryId,
      hits.map((h) => ({ id: h.id, score: h.score })),
    );
  }
  return {
    label,
    recall5: meanOverQueries(run, data.qrels, (r, j) => recallAt(r, j, 5)),
    mrr10: meanOverQueries(run, data.qrels, (r, j) => reciprocalRankAt(r, j, 10)),
    ndcg10: meanOverQueries(run, data.qrels, (r, j) => ndcgAt(r, j, 10)),
  };
}

/** CMRC 2018 dev, as retrieval (3,219 questions over 848 paragraphs): the CJK analyzer against baselines. */
export async function runCmrcQuality(data: BeirDataset): Promise<QualityRow[]> {
  const rows = [
    await evaluateBm25(data, 'cjk (Intl.Segmenter words + bigram fallback; default)', { type: 'cjk' }),
    await evaluateBm25(data, 'cjk, bigrams only (like Lucene CJKAnalyzer)', {
      type: 'cjk',
      bigrams: 'always',
    }),
    await evaluateBm25(data, 'cjk, dictionary words only', { type: 'cjk', bigrams: 'never' }),
    await evaluateBm25(data, 'auto (per-script)', { type: 'auto' }),
    await evaluateBm25(data, 'whitespace (baseline)', { type: 'whitespace' }),
  ];
  printTable(
    `BM25 on CMRC2018 dev retrieval: ${data.corpus.length} paragraphs, ${data.queries.size} questions (k1 0.9, b 0.4)`,
    ['analyzer', 'Recall@5', 'MRR@10', 'nDCG@10'],
    rows.map((r) => [r.label, fixed(r.recall5), fixed(r.mrr10), fixed(r.ndcg10)]),
  );
  return rows;
}
