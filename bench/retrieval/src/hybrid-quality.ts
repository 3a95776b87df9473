import { fixed, printTable } from '@ragloom/bench-utils';
import {
  createMemoryVectorRetriever,
  reciprocalRankFusion,
  type SearchHit,
  weightedScoreFusion,
} from '@ragloom/core';
import { createOnnxEncoder } from '@ragloom/encoder-onnx';
import { createBm25Retriever } from '@ragloom/retriever-bm25';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { type QueryRun, scoreRun } from './retrieval-run.js';

const DEPTH = 100; // each retriever's list length going into fusion

function toRun(lists: Map<string, readonly SearchHit[]>): QueryRun {
  return new Map([...lists].map(([q, hits]) => [q, hits.map((h) => ({ id: h.id, score: h.score }))]));
}

/**
 * Hybrid retrieval on SciFact: BM25 (english analyzer) and dense retrieval with the `bow-bert-128`
 * encoder through @ragloom/encoder-onnx (exact cosine search), fused with core's reciprocal rank
 * fusion (k = 60) and, for comparison, min-max weighted score fusion. Top 100 of each list go in.
 */
export async function runHybridQuality(data: BeirDataset, modelFolder: string, label = ''): Promise<void> {
  const texts = data.corpus.map(titleAndText);
  const bm25 = createBm25Retriever({ analyzer: 'english', preset: 'anserini' });
  await bm25.upsert(data.corpus.map((d, i) => ({ id: d.id, text: texts[i]! })));

  const encoder = await createOnnxEncoder({ model: modelFolder });
  const started = performance.now();
  const dense = createMemoryVectorRetriever({
    dimension: encoder.dimension,
    metric: 'cosine',
    encoderModelId: encoder.modelId,
  });
  const batch = 256;
  for (let i = 0; i < data.corpus.length; i += batch) {
    const slice = data.corpus.slice(i, i + batch);
    const { embeddings } = await encoder.embed({ texts: texts.slice(i, i + batch), inputType: 'document' });
    await dense.upsert(slice.map((d, j) => ({ id: d.id, text: texts[i + j]!, vector: embeddings[j]! })));
  }
  const queryIds = [...data.queries.keys()];
  const { embeddings: queryVectors } = await encoder.embed({
    texts: queryIds.map((q) => data.queries.get(q)!),
    inputType: 'query',
  });
  const embedSeconds = (performance.now() - started) / 1000;
  await encoder.close();

  const lexical = new Map<string, SearchHit[]>();
  const semantic = new Map<string, SearchHit[]>();
  for (const [i, queryId] of queryIds.entries()) {
    lexical.set(queryId, await bm25.search({ text: data.queries.get(queryId)!, k: DEPTH }));
    semantic.set(
      queryId,
      await dense.search({ vector: queryVectors[i]!, k: DEPTH, encoderModelId: encoder.modelId }),
    );
  }
  const fuse = (fn: (lists: SearchHit[][]) => SearchHit[]) =>
    new Map(queryIds.map((q) => [q, fn([lexical.get(q)!, semantic.get(q)!])]));
  const rrf = fuse((lists) => reciprocalRankFusion(lists, { k: 60, limit: DEPTH }));
  const weighted = fuse((lists) => weightedScoreFusion(lists, { limit: DEPTH }));

  const rows = [
    ['BM25 (english, k1 0.9 b 0.4)', scoreRun(data, toRun(lexical))],
    [`dense (${encoder.modelId}, exact cosine)`, scoreRun(data, toRun(semantic))],
    ['hybrid: reciprocal rank fusion (k = 60)', scoreRun(data, toRun(rrf))],
    ['hybrid: weighted score fusion (min-max, 1:1)', scoreRun(data, toRun(weighted))],
  ] as const;
  printTable(
    `Hybrid retrieval on SciFact${label} (${data.corpus.length} docs, ${data.queries.size} test queries; top ${DEPTH} of each list fused; ` +
      `embedding docs + queries took ${embedSeconds.toFixed(1)} s)`,
    ['system', 'nDCG@10', 'Recall@100'],
    rows.map(([label, s]) => [label, fixed(s.ndcg10), fixed(s.recall100)]),
  );
}
