// Issue 13: `ragloom eval` embeds several queries at once. With bow-bert-128 on SciFact it reported a
// dense nDCG@10 of 0.021 where the same index searched one query at a time gives 0.278, because
// concurrent embeds returned each other's vectors. The eval's per-query results must be exactly
// those of the same retriever, queried one at a time.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { runEval } from '../src/eval/run-eval.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { makeProject } from './helpers/project.js';

const QUERIES = 100;
/** Corpus documents besides the relevant ones: enough to rank, few enough to embed in seconds. */
const DISTRACTORS = 400;

/** The first 100 SciFact test queries, their qrels, and a corpus of their relevant abstracts plus others. */
function scifactSubset(dir: string): void {
  const source = assetPath('data', 'scifact');
  const lines = (file: string) =>
    readFileSync(join(source, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim().length > 0);
  const qrels = lines('qrels/test.tsv').slice(1);
  const queryIds = [...new Set(qrels.map((l) => l.split('\t')[0]!))].slice(0, QUERIES);
  const wanted = new Set(queryIds);
  const kept = qrels.filter((l) => wanted.has(l.split('\t')[0]!));
  const relevant = new Set(kept.map((l) => l.split('\t')[1]!));
  const corpus = lines('corpus.jsonl');
  const picked = [
    ...corpus.filter((l) => relevant.has((JSON.parse(l) as { _id: string })._id)),
    ...corpus.filter((l) => !relevant.has((JSON.parse(l) as { _id: string })._id)).slice(0, DISTRACTORS),
  ];
  const queries = lines('queries.jsonl').filter((l) => wanted.has((JSON.parse(l) as { _id: string })._id));
  mkdirSync(join(dir, 'qrels'), { recursive: true });
  writeFileSync(join(dir, 'corpus.jsonl'), `${picked.join('\n')}\n`);
  writeFileSync(join(dir, 'queries.jsonl'), `${queries.join('\n')}\n`);
  writeFileSync(join(dir, 'qrels', 'test.tsv'), `query-id\tcorpus-id\tscore\n${kept.join('\n')}\n`);
}

describe('ragloom eval with a local encoder', () => {
  it('gives the dense retriever the per-query results of searching one query at a time (SciFact, bow-bert-128)', async () => {
    const dir = makeProject(
      {},
      {
        models: { path: assetPath('models'), offline: true },
        encoder: { use: '@ragloom/encoder-onnx', options: { model: 'bow-bert-128', intraOpNumThreads: 1 } },
        retrievers: [{ name: 'dense', use: '@ragloom/retriever-hnsw' }],
      },
    );
    const dataset = join(dir, 'scifact');
    scifactSubset(dataset);
    const loaded = await loadConfig({ cwd: dir, env: {} });
    const result = await runEval(loaded, { dataset, outDir: join(dir, 'out'), limit: QUERIES });
    const run = result.runs.find((r) => r.name === 'dense');
    expect(run?.kind).toBe('retrieval');
    if (run?.kind !== 'retrieval') return;
    expect(run.queries).toHaveLength(QUERIES);

    // The same index, the same encoder, one query at a time.
    const evalDir = join(loaded.dataDir, 'eval', readdirSync(join(loaded.dataDir, 'eval'))[0]!);
    const runtime = await openRuntime({ ...loaded, dataDir: evalDir });
    try {
      const dense = runtime.retrievers.find((r) => r.name === 'dense')!.retriever;
      const differing: string[] = [];
      for (const query of run.queries) {
        const { embeddings } = await runtime.encoder!.embed({ texts: [query.text], inputType: 'query' });
        const hits = await dense.search({
          vector: embeddings[0]!,
          k: 100,
          encoderModelId: runtime.encoder!.modelId,
        });
        const alone = hits.map((h) => ({ id: h.id, score: h.score }));
        if (JSON.stringify(alone) !== JSON.stringify(query.hits)) differing.push(query.id);
      }
      expect(
        differing,
        `queries whose eval hits differ from a one-at-a-time search: ${differing.join(', ')}`,
      ).toEqual([]);
    } finally {
      await runtime.close();
    }
    // And the run is not degenerate: bow-bert-128 finds relevant abstracts for SciFact claims.
    expect(run.aggregate['ndcg@10']).toBeGreaterThan(0.2);
  }, 180_000);
});
