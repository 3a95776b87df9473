import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvalRunResult, PipelineRunResult, RetrievalRunResult } from '@ragloom/eval';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { parseQuestionRange, runEval, weakRetrieverWarnings } from '../src/eval/run-eval.js';
import { BM25_CONFIG, makeProject, runCli } from './helpers/project.js';

const squadV1 = assetPath('eval-reference', 'squad', 'squad_v1_dataset_answerable.json');

describe('ragloom eval: question ranges, the SQuAD version, usage and hybrid warnings', () => {
  it('parses question ranges and refuses bad ones with the expected shape', () => {
    expect(parseQuestionRange('1-4000')).toEqual({ from: 1, to: 4000 });
    expect(parseQuestionRange('4001-')).toEqual({ from: 4001 });
    expect(parseQuestionRange('17')).toEqual({ from: 17, to: 17 });
    for (const bad of ['0-5', '9-3', 'a-b', '', '-5']) {
      expect(() => parseQuestionRange(bad), bad).toThrow(/question range must look like 1-4000, 4001- or 17/);
    }
  });

  it('evaluates only the questions asked for, and scores a SQuAD 1.1 file with the v1.1 rules', async () => {
    const dir = makeProject({}, BM25_CONFIG);
    const loaded = await loadConfig({ cwd: dir });
    const result = await runEval(loaded, {
      dataset: squadV1,
      outDir: join(dir, 'out'),
      questions: { from: 11, to: 30 },
    });
    const run = result.runs[0] as PipelineRunResult;
    expect(run.evaluatedQueries).toBe(20);
    const ids = (
      JSON.parse(readFileSync(squadV1, 'utf8')) as { data: { paragraphs: { qas: { id: string }[] }[] }[] }
    ).data
      .flatMap((a) => a.paragraphs.flatMap((p) => p.qas.map((q) => q.id)))
      .slice(10, 30);
    expect(run.queries.map((q) => q.id)).toEqual(ids);
    expect(run.config.answerMetric).toBe('squad-v1'); // the file says "version": "1.1"
    expect(Object.keys(run.config.official as object).sort()).toEqual(['exact_match', 'f1']);
    expect(run.aggregate.answerHasGold).toBeGreaterThan(0.5);
    // BM25 embeds nothing; the report says so instead of inventing a number
    expect(run.usage.embeddingTokens).toBe(0);
  });

  it('counts the tokens a hybrid pipeline embeds, and warns when one of its retrievers scores far below another', async () => {
    // 60 documents, each with two words of its own; each query names one document's words.
    const word = (i: number, j: number) =>
      `w${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + ((i * 7 + j) % 26))}${i}x${j}`;
    const corpus = Array.from({ length: 60 }, (_, i) => [`d${i}`, `Note ${word(i, 1)} and ${word(i, 2)}.`]);
    const queries = Array.from({ length: 20 }, (_, i) => [
      `q${i}`,
      `${word(i * 3, 1)} ${word(i * 3, 2)}`,
      `d${i * 3}`,
    ]);
    const dir = makeProject(
      {
        'beir/corpus.jsonl': corpus.map(([_id, text]) => JSON.stringify({ _id, text })).join('\n'),
        'beir/queries.jsonl': queries.map(([_id, text]) => JSON.stringify({ _id, text })).join('\n'),
        'beir/qrels/test.tsv': `query-id\tcorpus-id\tscore\n${queries.map(([q, , d]) => `${q}\t${d}\t1`).join('\n')}\n`,
      },
      {
        // A two-dimensional hashing "embedding" can hardly tell documents apart: a weak member of the hybrid.
        encoder: { use: '@ragloom/core', options: { dimension: 2 } },
        retrievers: [
          { name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'auto' } },
          { name: 'dense', use: '@ragloom/retriever-hnsw' },
        ],
      },
    );
    const loaded = await loadConfig({ cwd: dir });
    const result = await runEval(loaded, { dataset: join(dir, 'beir'), outDir: join(dir, 'out') });
    const byName = new Map(result.runs.map((r) => [r.name, r as RetrievalRunResult]));
    expect([...byName.keys()]).toEqual(['bm25', 'dense', 'pipeline']);
    const bm25 = byName.get('bm25')!.aggregate['ndcg@10']!;
    const dense = byName.get('dense')!.aggregate['ndcg@10']!;
    expect(bm25).toBe(1);
    expect(dense).toBeLessThan(0.5 * bm25);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain('retriever "dense" scores nDCG@10');
    expect(result.warnings[0]).toContain('under half of "bm25"');
    // The pipeline embeds each query once, as the dense retriever's own run does.
    expect(byName.get('pipeline')!.usage.embeddingTokens).toBe(byName.get('dense')!.usage.embeddingTokens);
    expect(byName.get('pipeline')!.usage.embeddingTokens).toBeGreaterThan(0);
    const markdown = readFileSync(join(dir, 'out', 'report.md'), 'utf8');
    expect(markdown).toMatch(/- pipeline: [1-9]\d* embedding tokens/);
    const cli = await runCli(['eval', 'beir', '--out', 'out2'], { cwd: dir });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stderr).toContain('warning retriever "dense" scores nDCG@10');
  });

  it('warns about no retriever when the members of a hybrid score alike', () => {
    const run = (name: string, ndcg: number) =>
      ({ kind: 'retrieval', name, aggregate: { 'ndcg@10': ndcg } }) as unknown as EvalRunResult;
    expect(weakRetrieverWarnings([run('a', 0.7), run('b', 0.6), run('pipeline', 0.1)], ['a', 'b'])).toEqual(
      [],
    );
    expect(weakRetrieverWarnings([run('a', 0.7), run('b', 0.3)], ['a', 'b'])).toHaveLength(1);
    expect(weakRetrieverWarnings([run('a', 0.7)], ['a'])).toEqual([]);
  });
});

it('writes a SQuAD file the CLI evaluates by question range (--questions)', async () => {
  const dir = makeProject({}, BM25_CONFIG);
  writeFileSync(join(dir, 'v1.json'), readFileSync(squadV1));
  const result = await runCli(['eval', 'v1.json', '--questions', '5-9', '--out', 'out'], {
    cwd: dir,
    timeoutMs: 60_000,
  });
  expect(result.code, result.stderr).toBe(0);
  expect(result.stdout).toMatch(/\(5 questions\)/);
  const bad = await runCli(['eval', 'v1.json', '--questions', '9-5'], { cwd: dir });
  expect(bad.code).toBe(1);
  expect(bad.stderr).toContain('question range must look like');
});
