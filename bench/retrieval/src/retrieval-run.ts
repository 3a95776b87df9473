import { evaluateRun, type RankedDocument } from '@ragloom/eval';
import type { BeirDataset } from './beir-dataset.js';

export type QueryRun = Map<string, RankedDocument[]>;

/** Runs every query of a dataset through `search`, keeping the ranked ids and scores. */
export async function runQueries(
  data: BeirDataset,
  search: (text: string) => Promise<readonly RankedDocument[]> | readonly RankedDocument[],
): Promise<QueryRun> {
  const run: QueryRun = new Map();
  for (const [queryId, text] of data.queries) {
    const hits = await search(text);
    run.set(
      queryId,
      hits.map((h) => ({ id: h.id, score: h.score })),
    );
  }
  return run;
}

export interface QualityScores {
  readonly ndcg10: number;
  readonly recall5: number;
  readonly recall100: number;
  readonly mrr10: number;
}

/**
 * trec_eval-exact measures from @ragloom/eval, averaged over every judged query (a query with no hits
 * counts 0, trec_eval -c), ties ordered as trec_eval orders them.
 */
export function scoreRun(data: BeirDataset, run: QueryRun): QualityScores {
  const result = evaluateRun(data.qrels, run, {
    measures: ['ndcg@10', 'recall@5', 'recall@100', 'mrr@10'],
    averageOverQrels: true,
  });
  const a = result.aggregate;
  return {
    ndcg10: a['ndcg@10']!,
    recall5: a['recall@5']!,
    recall100: a['recall@100']!,
    mrr10: a['mrr@10']!,
  };
}
