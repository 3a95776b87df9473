/**
 * IR metrics with trec_eval's conventions (checked against trec_eval's printed values in the tests):
 * documents ranked by score descending, ties by document id descending (plain string comparison);
 * nDCG gain = grade, discount 1/log2(rank + 1), the ideal ranking over all judged documents; a query
 * counts relevant documents with grade >= 1; queries in qrels but not in the run score 0 (`-c`).
 */
export interface RankedDocument {
  readonly id: string;
  readonly score: number;
}

export type Run = ReadonlyMap<string, readonly RankedDocument[]>;
export type Qrels = ReadonlyMap<string, ReadonlyMap<string, number>>;

/** trec_eval's order: score descending, then document id descending. */
export function trecOrder(documents: readonly RankedDocument[]): RankedDocument[] {
  return [...documents].sort((a, b) =>
    a.score !== b.score ? b.score - a.score : a.id < b.id ? 1 : a.id > b.id ? -1 : 0,
  );
}

export function ndcgAt(ranked: readonly RankedDocument[], judged: ReadonlyMap<string, number>, k: number) {
  let dcg = 0;
  trecOrder(ranked)
    .slice(0, k)
    .forEach((d, i) => {
      const gain = judged.get(d.id) ?? 0;
      if (gain > 0) dcg += gain / Math.log2(i + 2);
    });
  const ideal = [...judged.values()].filter((g) => g > 0).sort((a, b) => b - a);
  let idcg = 0;
  ideal.slice(0, k).forEach((gain, i) => {
    idcg += gain / Math.log2(i + 2);
  });
  return idcg === 0 ? 0 : dcg / idcg;
}

export function recallAt(ranked: readonly RankedDocument[], judged: ReadonlyMap<string, number>, k: number) {
  const relevant = [...judged.values()].filter((g) => g >= 1).length;
  if (relevant === 0) return 0;
  const found = trecOrder(ranked)
    .slice(0, k)
    .filter((d) => (judged.get(d.id) ?? 0) >= 1).length;
  return found / relevant;
}

/** Reciprocal rank of the first relevant document within the top k (trec_eval recip_rank on a run cut at k). */
export function reciprocalRankAt(
  ranked: readonly RankedDocument[],
  judged: ReadonlyMap<string, number>,
  k: number,
) {
  const at = trecOrder(ranked)
    .slice(0, k)
    .findIndex((d) => (judged.get(d.id) ?? 0) >= 1);
  return at === -1 ? 0 : 1 / (at + 1);
}

/** Mean of a per-query metric over every query in the qrels (missing from the run = 0, like `trec_eval -c`). */
export function meanOverQueries(
  run: Run,
  qrels: Qrels,
  metric: (ranked: readonly RankedDocument[], judged: ReadonlyMap<string, number>) => number,
): number {
  let sum = 0;
  for (const [queryId, judged] of qrels) sum += metric(run.get(queryId) ?? [], judged);
  return qrels.size === 0 ? 0 : sum / qrels.size;
}
