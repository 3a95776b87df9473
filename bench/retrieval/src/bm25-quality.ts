import { type Bm25RetrieverOptions, createBm25Retriever } from '@ragloom/retriever-bm25';
import { type BeirDataset, type BeirDocument, titleAndText } from './beir-dataset.js';
import { type QualityScores, runQueries, scoreRun } from './retrieval-run.js';

/** Indexes a dataset with one BM25 configuration and scores its top 100 per query. */
export async function evaluateBm25(
  data: BeirDataset,
  options: Bm25RetrieverOptions,
  documentText: (d: BeirDocument) => string = titleAndText,
): Promise<QualityScores> {
  const retriever = createBm25Retriever(options);
  await retriever.upsert(data.corpus.map((d) => ({ id: d.id, text: documentText(d) })));
  return scoreRun(data, await runQueries(data, (text) => retriever.search({ text, k: 100 })));
}
