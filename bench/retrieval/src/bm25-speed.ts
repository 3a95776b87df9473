import { createBm25Retriever } from '@ragloom/retriever-bm25';
import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { fixed, median, printTable } from './bench-table.js';
import { meanOverQueries, ndcgAt, type RankedDocument } from './trec-metrics.js';

interface SideResult {
  indexMs: number;
  queryMs: number;
  run: Map<string, RankedDocument[]>;
}

async function runRagloom(data: BeirDataset): Promise<SideResult> {
  const records = data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) }));
  const started = performance.now();
  const retriever = createBm25Retriever({ analyzer: 'english', preset: 'anserini' });
  await retriever.upsert(records);
  const indexMs = performance.now() - started;
  const run = new Map<string, RankedDocument[]>();
  const queryStart = performance.now();
  for (const [queryId, text] of data.queries) {
    const hits = await retriever.search({ text, k: 10 });
    run.set(
      queryId,
      hits.map((h) => ({ id: h.id, score: h.score })),
    );
  }
  return { indexMs, queryMs: performance.now() - queryStart, run };
}

function runWink(data: BeirDataset): SideResult {
  const started = performance.now();
  const engine = bm25();
  // Same data, same one field (title + text), same k1/b; wink-nlp-utils' classic preparation pipeline.
  engine.defineConfig({ fldWeights: { body: 1 }, bm25Params: { k1: 0.9, b: 0.4 } });
  engine.definePrepTasks([
    nlp.string.lowerCase,
    nlp.string.tokenize0,
    nlp.tokens.removeWords,
    nlp.tokens.stem,
  ]);
  for (const d of data.corpus) engine.addDoc({ body: titleAndText(d) }, d.id);
  engine.consolidate();
  const indexMs = performance.now() - started;
  const run = new Map<string, RankedDocument[]>();
  const queryStart = performance.now();
  for (const [queryId, text] of data.queries) {
    run.set(
      queryId,
      engine.search(text, 10).map(([id, score]) => ({ id: String(id), score })),
    );
  }
  return { indexMs, queryMs: performance.now() - queryStart, run };
}

/**
 * Indexing and query throughput on SciFact (5,183 docs, 300 test queries, top 10), ragloom beside
 * wink-bm25-text-search, alternating in one process so both see the same machine load. Medians of
 * `repetitions` runs; ratios > 1 mean ragloom is faster.
 */
export async function runBm25Speed(data: BeirDataset, repetitions: number): Promise<void> {
  const ours: SideResult[] = [];
  const peer: SideResult[] = [];
  for (let r = 0; r < repetitions; r++) {
    ours.push(await runRagloom(data));
    peer.push(runWink(data));
  }
  const docs = data.corpus.length;
  const queries = data.queries.size;
  const summarize = (results: SideResult[]) => ({
    docsPerSecond: median(results.map((x) => docs / (x.indexMs / 1000))),
    queriesPerSecond: median(results.map((x) => queries / (x.queryMs / 1000))),
    ndcg: meanOverQueries(results[0]!.run, data.qrels, (r, j) => ndcgAt(r, j, 10)),
  });
  const a = summarize(ours);
  const b = summarize(peer);
  printTable(
    `BM25 speed on SciFact: ${docs} docs indexed, ${queries} queries (top 10); median of ${repetitions} alternating runs`,
    ['engine', 'index docs/s', 'queries/s', 'nDCG@10'],
    [
      [
        '@ragloom/retriever-bm25 (english, k1 0.9 b 0.4)',
        a.docsPerSecond.toFixed(0),
        a.queriesPerSecond.toFixed(0),
        fixed(a.ndcg),
      ],
      [
        'wink-bm25-text-search 3.1.2 (wink-nlp-utils prep)',
        b.docsPerSecond.toFixed(0),
        b.queriesPerSecond.toFixed(0),
        fixed(b.ndcg),
      ],
      [
        'ratio ragloom / wink',
        `${(a.docsPerSecond / b.docsPerSecond).toFixed(2)}x`,
        `${(a.queriesPerSecond / b.queriesPerSecond).toFixed(2)}x`,
        '',
      ],
    ],
  );
}
