import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { printTable } from '@ragloom/bench-utils';
import { createMemoryVectorRetriever, type ProgressEvent } from '@ragloom/core';
import { createOnnxEncoder } from '@ragloom/encoder-onnx';
import {
  type BeirDataset,
  compareRuns,
  createReport,
  DEFAULT_MEASURES,
  evaluateRetriever,
  evaluateRun,
  loadBeirDataset,
  type RetrievalRunResult,
  readTrecRun,
  writeReport,
  writeTrecRun,
} from '@ragloom/eval';
import { createBm25Retriever } from '@ragloom/retriever-bm25';
import { assetPath, repoRoot } from '@ragloom/test-utils';

/*
 * SciFact (BEIR, 5183 abstracts, 300 test queries) evaluated end to end with @ragloom/eval:
 *   - exact brute-force dense retrieval (core's createMemoryVectorRetriever, cosine) over bow-bert-128
 *     embeddings from @ragloom/encoder-onnx — a synthetic bag-of-words model, so its scores show the
 *     plumbing and a lexical signal, not what a trained embedding model would reach;
 *   - BM25 from @ragloom/retriever-bm25 (english analyzer, k1 0.9 b 0.4, as Pyserini's flat index).
 * Prints nDCG@10, Recall@100, MRR@10 and per-query latency, the comparison with deltas and a paired
 * randomization test, and writes the JSON / Markdown / HTML reports and TREC run files.
 * `--quick`: 50 queries over their judged documents plus the first 1000 abstracts (a smoke run).
 */

const quick = process.argv.includes('--quick');
const outDir = join(repoRoot(), 'bench', '.data', 'eval');
// eval's default measures (BEIR's headline nDCG@10, Recall@100, MRR@10 among them), as a user gets them.
const MEASURES = DEFAULT_MEASURES;

const fixed = (n: number | undefined, digits = 4) =>
  n === undefined || !Number.isFinite(n) ? '–' : n.toFixed(digits);

function progress(label: string) {
  let last = 0;
  return (e: ProgressEvent) => {
    const now = performance.now();
    if (e.completed === e.total || now - last > 2000) {
      last = now;
      process.stderr.write(`  ${label}: ${e.completed}/${e.total ?? '?'}\n`);
    }
  };
}

function subset(data: BeirDataset): BeirDataset {
  if (!quick) return data;
  const queries = data.queries.slice(0, 50);
  const judged = new Set(queries.flatMap((q) => [...data.qrels.get(q.id)!.keys()]));
  const corpus = data.corpus.filter((d, i) => i < 1000 || judged.has(d.id));
  return { ...data, queries, qrels: new Map(queries.map((q) => [q.id, data.qrels.get(q.id)!])), corpus };
}

async function main(): Promise<void> {
  const data = subset(await loadBeirDataset(assetPath('data', 'scifact')));
  const documents = data.corpus.map((d) => ({ id: d.id, text: `${d.title} ${d.text}`.trim() }));
  console.log(
    `SciFact${quick ? ' (--quick subset)' : ''}: ${documents.length} documents, ${data.queries.length} test queries, node ${process.version}`,
  );

  // BM25
  let t0 = performance.now();
  const bm25 = createBm25Retriever({ analyzer: 'english', preset: 'anserini' });
  await bm25.upsert(documents);
  const bm25BuildMs = performance.now() - t0;

  // Exact dense retrieval over bow-bert-128
  t0 = performance.now();
  const encoder = await createOnnxEncoder({
    model: assetPath('models', 'bow-bert-128'),
    intraOpNumThreads: 2,
  });
  const dense = createMemoryVectorRetriever({
    dimension: encoder.dimension,
    encoderModelId: encoder.modelId,
    metric: 'cosine',
  });
  const onEmbed = progress('embed corpus');
  for (let i = 0; i < documents.length; i += 256) {
    const batch = documents.slice(i, i + 256);
    const { embeddings } = await encoder.embed({ texts: batch.map((d) => d.text), inputType: 'document' });
    await dense.upsert(batch.map((d, j) => ({ ...d, vector: embeddings[j]! })));
    onEmbed({ phase: 'embed', completed: Math.min(i + 256, documents.length), total: documents.length });
  }
  const denseBuildMs = performance.now() - t0;

  const common = {
    queries: data.queries,
    qrels: data.qrels,
    k: 100,
    measures: MEASURES,
    concurrency: 1,
  } as const;
  const runs: RetrievalRunResult[] = [];
  runs.push(
    await evaluateRetriever({
      ...common,
      name: 'BM25 (english, k1 0.9 b 0.4)',
      retriever: bm25,
      onProgress: progress('BM25'),
    }),
  );
  runs.push(
    await evaluateRetriever({
      ...common,
      name: 'dense exact (bow-bert-128, cosine)',
      retriever: dense,
      encoder,
      onProgress: progress('dense'),
    }),
  );
  await encoder.close();

  const buildMs = [bm25BuildMs, denseBuildMs];
  printTable(
    `SciFact test, k = 100, queries one at a time (metrics: @ragloom/eval, trec_eval conventions)`,
    ['system', 'nDCG@10', 'Recall@100', 'MRR@10', 'MAP@100', 'p50 ms', 'p95 ms', 'p99 ms', 'index build s'],
    runs.map((r, i) => [
      r.name,
      fixed(r.aggregate['ndcg@10']),
      fixed(r.aggregate['recall@100']),
      fixed(r.aggregate['mrr@10']),
      fixed(r.aggregate['map@100']),
      fixed(r.latency.p50, 2),
      fixed(r.latency.p95, 2),
      fixed(r.latency.p99, 2),
      fixed(buildMs[i]! / 1000, 1),
    ]),
  );
  const dr = runs[1]!;
  if (dr.queries[0]?.embedMs !== undefined) {
    const embed = dr.queries.map((q) => q.embedMs!).sort((a, b) => a - b);
    const search = dr.queries.map((q) => q.searchMs).sort((a, b) => a - b);
    console.log(
      `dense latency split (median): query embedding ${fixed(embed[embed.length >> 1], 2)} ms, exact search over ${documents.length} vectors ${fixed(search[search.length >> 1], 2)} ms`,
    );
  }

  const comparison = compareRuns(runs);
  printTable(
    `${runs[1]!.name} against ${comparison.baseline} (paired over ${data.queries.length} queries)`,
    ['measure', 'BM25', 'dense', 'Δ', 'wins/losses/ties', 'p (randomization)'],
    comparison.measures
      .filter((m) => ['ndcg@10', 'recall@100', 'mrr@10'].includes(m.measure))
      .map((m) => {
        const p = m.paired[1]!;
        return [
          m.measure,
          fixed(m.values[0]),
          fixed(m.values[1]),
          `${m.deltas[1]! >= 0 ? '+' : ''}${fixed(m.deltas[1])}`,
          `${p.wins}/${p.losses}/${p.ties}`,
          p.pValue < 0.001 ? '<0.001' : fixed(p.pValue, 3),
        ];
      }),
  );

  // The runs as TREC files (scoreable by trec_eval too), read back and rescored: the same numbers.
  const names = ['bm25', 'dense-bow-bert-128'];
  for (const [i, run] of runs.entries()) {
    const file = join(outDir, `scifact-${names[i]}${quick ? '-quick' : ''}.run`);
    await writeTrecRun(file, new Map(run.queries.map((q) => [q.id, q.hits])), names[i]);
    const rescored = evaluateRun(data.qrels, await readTrecRun(file), { measures: MEASURES });
    const same = MEASURES.every((m) => rescored.aggregate[m] === run.aggregate[m]);
    console.log(`${file}: rescored from the TREC file: ${same ? 'identical values' : 'DIFFERENT values'}`);
  }

  const report = createReport(runs, {
    title: `SciFact${quick ? ' (quick subset)' : ''}: BM25 vs exact dense (bow-bert-128)`,
  });
  for (const ext of ['json', 'md', 'html']) {
    const file = join(outDir, `scifact${quick ? '-quick' : ''}.${ext}`);
    await writeReport(file, report);
    console.log(`report: ${file}`);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
