import { fixed, median, printTable } from '@ragloom/bench-utils';
import { createBm25Retriever } from '@ragloom/retriever-bm25';
import bm25 from 'wink-bm25-text-search';
import nlp from 'wink-nlp-utils';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { type QueryRun, runQueries, scoreRun } from './retrieval-run.js';

interface SideResult {
  indexMs: number;
  queryMs: number;
  run: QueryRun;
}

async function runRagloom(data: BeirDataset): Promise<SideResult> {
  const records = data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) }));
  const started = performance.now();
  const retriever = createBm25Retriever({ analyzer: 'english', preset: 'anserini' });
  await retriever.upsert(records);
  const indexMs = performance.now() - started;
  const queryStart = performance.now();
  const run = await runQueries(data, (text) => retriever.search({ text, k: 10 }));
  return { indexMs, queryMs: performance.now() - queryStart, run };
}

async function runWink(data: BeirDataset): Promise<SideResult> {
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
  const queryStart = performance.now();
  const run = await runQueries(data, (text) =>
    engine.search(text, 10).map(([id, score]) => ({ id: String(id), score })),
  );
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
    peer.push(await runWink(data));
  }
  const docs = data.corpus.length;
  const queries = data.queries.size;
  const summarize = (results: SideResult[]) => ({
    docsPerSecond: median(results.map((x) => docs / (x.indexMs / 1000))),
    queriesPerSecond: median(results.map((x) => queries / (x.queryMs / 1000))),
    ndcg: scoreRun(data, results[0]!.run).ndcg10,
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
