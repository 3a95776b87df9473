import { fixed, printTable } from '@ragloom/bench-utils';
import type { AnalyzerConfig } from '@ragloom/retriever-bm25';
import type { BeirDataset } from './beir-dataset.js';
import { evaluateBm25 } from './bm25-quality.js';

/**
 * BM25 on the CMRC 2018 dev set as retrieval (each question's gold paragraph): the CJK analyzer
 * against a whitespace analyzer (what CJK-unaware search does with Chinese) and other CJK modes.
 */
export async function runCmrcQuality(data: BeirDataset): Promise<void> {
  const configs: [string, AnalyzerConfig][] = [
    ['cjk (Intl.Segmenter words + bigram fallback; default)', { type: 'cjk' }],
    ['cjk, bigrams only (like Lucene CJKAnalyzer)', { type: 'cjk', bigrams: 'always' }],
    ['cjk, dictionary words only', { type: 'cjk', bigrams: 'never' }],
    ['auto (per-script: cjk runs + english words)', { type: 'auto' }],
    ['whitespace (baseline)', { type: 'whitespace' }],
  ];
  const rows: string[][] = [];
  for (const [label, analyzer] of configs) {
    const scores = await evaluateBm25(data, { analyzer, preset: 'anserini' });
    rows.push([label, fixed(scores.recall5), fixed(scores.mrr10), fixed(scores.ndcg10)]);
  }
  printTable(
    `BM25 on CMRC2018 dev retrieval: ${data.corpus.length} paragraphs, ${data.queries.size} questions (title+text, k1 0.9 b 0.4)`,
    ['analyzer', 'Recall@5', 'MRR@10', 'nDCG@10'],
    rows,
  );
}
