import { fixed, printTable } from '@ragloom/bench-utils';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { evaluateBm25 } from './bm25-quality.js';

/** Published BM25 nDCG@10 on BEIR SciFact (test). */
export const PUBLISHED_SCIFACT = {
  beirPaper: 0.665, // Thakur et al. 2021, Anserini BM25, multifield (title and text as two fields)
  pyseriniFlat: 0.679, // Pyserini BEIR "flat" index: title + text in one field, k1 0.9, b 0.4
} as const;

/**
 * BM25 nDCG@10 on SciFact's 300 test queries beside the published Anserini/Pyserini figures. The
 * first row is the configuration Pyserini's flat index uses; it must be within 0.01 of 0.679.
 */
export async function runScifactQuality(data: BeirDataset): Promise<number> {
  const flat = await evaluateBm25(data, { analyzer: 'english', preset: 'anserini' });
  const textOnly = await evaluateBm25(data, { analyzer: 'english', preset: 'anserini' }, (d) => d.text);
  const lucene = await evaluateBm25(data, { analyzer: 'english', preset: 'lucene' });
  const noStem = await evaluateBm25(data, { analyzer: 'standard', preset: 'anserini' }, titleAndText);
  const difference = flat.ndcg10 - PUBLISHED_SCIFACT.pyseriniFlat;
  printTable(
    `BM25 on BEIR SciFact: ${data.corpus.length} docs, ${data.queries.size} test queries (trec_eval measures via @ragloom/eval)`,
    ['system', 'nDCG@10', 'Recall@100', 'vs Pyserini flat 0.679'],
    [
      [
        'published: Pyserini BM25 flat (title+text, k1 0.9 b 0.4)',
        fixed(PUBLISHED_SCIFACT.pyseriniFlat, 3),
        '',
        '',
      ],
      ['published: BEIR paper, Anserini BM25 multifield', fixed(PUBLISHED_SCIFACT.beirPaper, 3), '', ''],
      [
        'ragloom english, title+text, k1 0.9 b 0.4 (= Pyserini flat)',
        fixed(flat.ndcg10),
        fixed(flat.recall100),
        `${difference >= 0 ? '+' : ''}${difference.toFixed(4)} ${Math.abs(difference) <= 0.01 ? '(within 0.01)' : '(MISSES 0.01)'}`,
      ],
      ['ragloom english, text only, k1 0.9 b 0.4', fixed(textOnly.ndcg10), fixed(textOnly.recall100), ''],
      [
        'ragloom english, title+text, k1 1.2 b 0.75 (lucene)',
        fixed(lucene.ndcg10),
        fixed(lucene.recall100),
        '',
      ],
      [
        'ragloom standard (no stemming/stop words), title+text',
        fixed(noStem.ndcg10),
        fixed(noStem.recall100),
        '',
      ],
    ],
  );
  return flat.ndcg10;
}
