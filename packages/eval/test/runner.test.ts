import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createPipeline,
  type ProgressEvent,
} from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSquadDataset } from '../src/datasets/squad-loader.js';
import type { QaExample } from '../src/qa/qa-types.js';
import { evaluateRun } from '../src/retrieval/trec-eval.js';
import { evaluatePipeline } from '../src/runner/evaluate-pipeline.js';
import { evaluateRetriever } from '../src/runner/evaluate-retriever.js';
import { latencyHistogram, percentile, summarizeLatency } from '../src/runner/latency.js';

// A small corpus: plumbing tests use core's hashing encoder (lexical, no model) — not a quality figure.
const docs = [
  { id: 'd1', text: 'The cat sat on the mat.' },
  { id: 'd2', text: 'Dogs chase cats in the park.' },
  { id: 'd3', text: 'Quantum chromodynamics describes the strong force.' },
  { id: 'd4', text: 'The stock market fell sharply on Monday.' },
  { id: 'd5', text: '北京是中国的首都。' },
  { id: 'd6', text: 'A mat for yoga, not for cats.' },
];
const queries = [
  { id: 'q1', text: 'cat on a mat' },
  { id: 'q2', text: 'strong force physics' },
  { id: 'q3', text: '中国的首都' },
  { id: 'q4', text: 'dogs in a park' },
  { id: 'q5', text: 'market crash' },
  { id: 'q6', text: 'yoga mat' },
];
const qrels = {
  q1: { d1: 2, d6: 1 },
  q2: { d3: 1 },
  q3: { d5: 1 },
  q4: { d2: 1 },
  q5: { d4: 1 },
  q6: { d6: 1 },
};

async function denseRetriever() {
  const encoder = createHashingEncoder({ dimension: 128 });
  const retriever = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
  const { embeddings } = await encoder.embed({ texts: docs.map((d) => d.text), inputType: 'document' });
  await retriever.upsert(docs.map((d, i) => ({ ...d, vector: embeddings[i]! })));
  return { encoder, retriever };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ragloom-eval-runner-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('latency statistics and concurrency', () => {
  it('computes percentiles by linear interpolation (numpy default)', () => {
    const values = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(percentile(values, 50)).toBe(55);
    expect(percentile(values, 95)).toBeCloseTo(95.5, 12);
    expect(percentile(values, 99)).toBeCloseTo(99.1, 12);
    expect(summarizeLatency([3, 1, 2])).toMatchObject({ count: 3, mean: 2, min: 1, max: 3, p50: 2 });
    const bins = latencyHistogram([0, 1, 2, 3, 10], 5);
    expect(bins.map((b) => b.count)).toEqual([2, 2, 0, 0, 1]); // width 2: [0,2) [2,4) ... [8,10]
  });
});

describe('evaluateRetriever', () => {
  it('embeds, searches and scores a dense retriever exactly as evaluateRun scores its hits', async () => {
    const { encoder, retriever } = await denseRetriever();
    const events: ProgressEvent[] = [];
    const result = await evaluateRetriever({
      name: 'hashing (plumbing)',
      retriever,
      encoder,
      queries,
      qrels,
      k: 3,
      measures: ['ndcg@3', 'recall@3', 'mrr@3'],
      concurrency: 3,
      onProgress: (e) => events.push(e),
    });
    expect(result.kind).toBe('retrieval');
    expect(result.evaluatedQueries).toBe(6);
    expect(
      result.queries.every(
        (q) => q.hits.length === 3 && q.embedMs !== undefined && q.latencyMs >= q.searchMs,
      ),
    ).toBe(true);
    const expected = evaluateRun(qrels, new Map(result.queries.map((q) => [q.id, q.hits])), {
      measures: ['ndcg@3', 'recall@3', 'mrr@3'],
    });
    expect(result.aggregate).toEqual(expected.aggregate);
    expect(result.aggregate['mrr@3']).toBeGreaterThan(0.5); // lexical queries find their documents
    expect(result.queries.find((q) => q.id === 'q3')!.hits[0]!.id).toBe('d5'); // CJK query
    expect(events.map((e) => e.completed)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(events.at(-1)!.total).toBe(6);
    expect(result.latency.count).toBe(6);
    expect(result.latency.p50).toBeLessThanOrEqual(result.latency.p99);
    expect(result.usage.embeddingTokens).toBeGreaterThan(0);
  });

  it('sends text to a lexical retriever and needs an encoder for a dense one', async () => {
    const keyword = createMemoryKeywordRetriever();
    await keyword.upsert(docs);
    const result = await evaluateRetriever({ retriever: keyword, queries, qrels, k: 5, measures: ['hit@1'] });
    expect(result.aggregate['hit@1']).toBeGreaterThan(0.5);
    const { retriever } = await denseRetriever();
    await expect(evaluateRetriever({ retriever, queries, qrels })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('resumes an interrupted run from its cache file and refuses a cache of another configuration', async () => {
    const { encoder, retriever } = await denseRetriever();
    const cacheFile = join(dir, 'retrieval-cache.jsonl');
    const controller = new AbortController();
    let seen = 0;
    await expect(
      evaluateRetriever({
        retriever,
        encoder,
        queries,
        qrels,
        k: 3,
        concurrency: 1,
        cacheFile,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.completed === 3) controller.abort();
          seen = e.completed;
        },
      }),
    ).rejects.toMatchObject({ code: 'ABORTED' });
    expect(seen).toBe(3);
    const resumed = await evaluateRetriever({ retriever, encoder, queries, qrels, k: 3, cacheFile });
    expect(resumed.resumedQueries).toBe(3);
    const fresh = await evaluateRetriever({ retriever, encoder, queries, qrels, k: 3 });
    expect(resumed.aggregate).toEqual(fresh.aggregate);
    expect(resumed.queries.map((q) => q.hits)).toEqual(fresh.queries.map((q) => q.hits));
    await expect(
      evaluateRetriever({ retriever, encoder, queries, qrels, k: 5, cacheFile }),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
    });
  });

  it('detects a damaged cache record and drops a torn last line', async () => {
    const { encoder, retriever } = await denseRetriever();
    const cacheFile = join(dir, 'damaged-cache.jsonl');
    await evaluateRetriever({ retriever, encoder, queries, qrels, k: 2, cacheFile });
    const lines = (await readFile(cacheFile, 'utf8')).split('\n');
    // torn: the last record half-written, as after a crash
    await writeFile(cacheFile, `${lines.slice(0, 6).join('\n')}\n${lines[6]!.slice(0, 20)}`);
    const resumed = await evaluateRetriever({ retriever, encoder, queries, qrels, k: 2, cacheFile });
    expect(resumed.resumedQueries).toBe(5);
    // damaged: a score changed in the middle of the file
    const text = await readFile(cacheFile, 'utf8');
    await writeFile(cacheFile, text.replace(/"score":(\d)/, '"score":9$1'));
    await expect(
      evaluateRetriever({ retriever, encoder, queries, qrels, k: 2, cacheFile }),
    ).rejects.toMatchObject({
      code: 'INDEX_CORRUPT',
      message: expect.stringMatching(/damaged-cache\.jsonl:\d+: cache record fails its checksum/),
    });
  });
});

describe("evaluatePipeline on SQuAD 2.0 questions with core's pipeline (extractive, hashing encoder: plumbing)", () => {
  let examples: QaExample[];
  let ask: (
    q: string,
    o: { signal?: AbortSignal },
  ) => Promise<{
    answer: string;
    outcome: 'answered' | 'declined';
    passages: { id: string; documentId: string; text: string }[];
  }>;

  beforeAll(async () => {
    const all = await loadSquadDataset(assetPath('data', 'squad2-dev-half', 'dev-v2.0-cs224n-dev.json'));
    const paragraphs = [...new Set(all.map((q) => q.contextId!))].slice(0, 8);
    examples = all.filter((q) => paragraphs.includes(q.contextId!)).slice(0, 24);
    const encoder = createHashingEncoder({ dimension: 256 });
    const retriever = createMemoryVectorRetriever({ dimension: 256, encoderModelId: encoder.modelId });
    const pipeline = createPipeline({ encoder, retrievers: [retriever], topK: 3 });
    const seen = new Set<string>();
    await pipeline.ingest(
      all
        .filter((q) => paragraphs.includes(q.contextId!) && !seen.has(q.contextId!) && seen.add(q.contextId!))
        .map((q) => ({ id: q.contextId!, text: q.context! })),
    );
    ask = async (q, o) => {
      const result = await pipeline.ask(q, { signal: o.signal });
      return {
        answer: result.answer,
        outcome: result.outcome,
        passages: result.passages.map((p) => ({ id: p.id, documentId: p.documentId, text: p.text })),
      };
    };
  });

  it('scores answers with the official SQuAD rules, contexts against the gold paragraph, and labels the offline fallbacks', async () => {
    const events: ProgressEvent[] = [];
    const result = await evaluatePipeline({
      name: 'extractive',
      ask,
      examples,
      pricing: { promptPerMillionTokens: 1, completionPerMillionTokens: 2 },
      onProgress: (e) => events.push(e),
    });
    expect(result.evaluatedQueries).toBe(24);
    expect(result.methods).toEqual({ faithfulness: 'token-overlap', answerRelevance: 'token-overlap' });
    for (const q of result.queries) {
      const example = examples.find((e) => e.id === q.id)!;
      if (example.answers.length > 0) {
        const gold = q.passages.some((p) => p.documentId === example.contextId) ? 1 : 0;
        expect(q.metrics.contextRecall, q.id).toBe(gold);
      }
    }
    // EM/F1 aggregate exactly as evaluate-v2.0.py would on these predictions
    const exact = result.queries.reduce((n, q) => n + q.metrics.exact!, 0) / 24;
    expect(result.aggregate.exact).toBeCloseTo(exact, 12);
    expect(result.aggregate.contextRecall).toBeGreaterThan(0.5);
    expect(result.aggregate.faithfulness).toBeGreaterThan(0.9); // extractive answers quote the passages
    expect(result.latency.count).toBe(24);
    expect(events.at(-1)).toMatchObject({ phase: 'ask', completed: 24, total: 24 });
  });

  it('resumes from its cache without asking again, and aborts with ABORTED', async () => {
    const cacheFile = join(dir, 'pipeline-cache.jsonl');
    let asked = 0;
    const counting = async (q: string, o: { signal?: AbortSignal }) => {
      asked++;
      return ask(q, o);
    };
    const first = await evaluatePipeline({ ask: counting, examples: examples.slice(0, 5), cacheFile });
    expect(asked).toBe(5);
    const again = await evaluatePipeline({ ask: counting, examples: examples.slice(0, 5), cacheFile });
    expect(asked).toBe(5);
    expect(again.resumedQueries).toBe(5);
    expect(again.aggregate).toEqual(first.aggregate);
    const controller = new AbortController();
    controller.abort();
    await expect(evaluatePipeline({ ask, examples, signal: controller.signal })).rejects.toMatchObject({
      code: 'ABORTED',
    });
  });

  it('uses an LLM judge when given one and records judge failures without stopping', async () => {
    const { createTemplateGenerator } = await import('@ragloom/core');
    let calls = 0;
    const generator = createTemplateGenerator({
      render: (messages) => {
        calls++;
        const user = messages.find((m) => m.role === 'user')!.content;
        if (user.startsWith('QUESTION:') && user.includes('ANSWER:'))
          return calls % 5 === 0 ? 'no idea' : '```json\n{"score": 5}\n```';
        const n = [...user.matchAll(/^(\d+)\. /gm)].length;
        return `{"verdicts": [${Array.from({ length: n }, (_, i) => `{"sentence": ${i + 1}, "supported": true}`).join(',')}]}`;
      },
    });
    // Judged questions must have an answer to judge: a decline claims nothing.
    const answered: QaExample[] = [];
    for (const e of examples) if ((await ask(e.question, {})).outcome === 'answered') answered.push(e);
    expect(answered.length).toBeGreaterThanOrEqual(6);
    const result = await evaluatePipeline({
      ask,
      examples: answered.slice(0, 6),
      judge: { generator, retries: 0 },
      concurrency: 1,
    });
    expect(result.methods).toEqual({ faithfulness: 'llm-judge', answerRelevance: 'llm-judge' });
    expect(result.aggregate.faithfulness).toBe(1);
    expect(result.judgeFailures).toBeGreaterThan(0);
    expect(result.queries.some((q) => q.errors?.[0]?.startsWith('answer relevance:'))).toBe(true);
    expect(result.usage.judgeTokens).toBeGreaterThan(0);
  });
});

describe('evaluatePipeline: answer-level measures and the metric table', () => {
  const examples: QaExample[] = [
    { id: 'a1', question: 'Where did the cat sit?', answers: ['on the mat'] },
    { id: 'a2', question: 'Who chases cats?', answers: ['Dogs', 'dogs'] },
    { id: 'a3', question: 'When did the market fall?', answers: ['Monday'] },
    { id: 'u1', question: 'Where did the cat sleep?', answers: [] },
    { id: 'u2', question: 'Who chases mice?', answers: [] },
  ];
  // Scripted answers: contain the gold, miss it, decline, and quote with citation markers.
  const scripted: Record<string, { answer: string; outcome?: 'answered' | 'declined' }> = {
    a1: { answer: 'The cat sat on the mat. [1]' },
    a2: { answer: 'Not found in your documents.', outcome: 'declined' },
    a3: { answer: 'The stock market fell sharply. [2]' },
    u1: { answer: 'Not found in your documents.', outcome: 'declined' },
    u2: { answer: 'Dogs chase cats in the park. [1]' },
  };
  const ask = async (_q: string, { example }: { example: QaExample }) => ({
    ...scripted[example.id]!,
    embeddingTokens: 3,
  });

  it('scores a decline as the empty prediction, and reports gold-in-answer, length and decline rates', async () => {
    const result = await evaluatePipeline({
      ask,
      examples,
      judgedMetrics: { faithfulness: false, answerRelevance: false },
    });
    const q = (id: string) => result.queries.find((r) => r.id === id)!;
    // declined unanswerable: SQuAD v2's no-answer, exact 1; declined answerable: 0
    expect(q('u1').metrics).toMatchObject({ exact: 1, f1: 1, declined: 1 });
    expect(q('u1').outcome).toBe('declined');
    expect(q('a2').metrics).toMatchObject({ exact: 0, declined: 1, answerHasGold: 0 });
    expect(q('a2').metrics.answerWords).toBeUndefined(); // a decline has no answer length
    // citation markers are not part of the scored answer: 6 words, not 7
    expect(q('a1').metrics).toMatchObject({ answerHasGold: 1, answerWords: 6, declined: 0 });
    expect(q('a3').metrics.answerHasGold).toBe(0);
    expect(result.aggregate.answerHasGold).toBeCloseTo(1 / 3, 12);
    expect(result.aggregate.answerWords).toBeCloseTo((6 + 5 + 6) / 3, 12);
    expect(result.aggregate.declined).toBeCloseTo(2 / 5, 12);
    expect(result.aggregate['hasAns.declined']).toBeCloseTo(1 / 3, 12);
    expect(result.aggregate['noAns.declined']).toBeCloseTo(1 / 2, 12);
    expect(result.aggregate['noAns.exact']).toBeCloseTo(1 / 2, 12);
    expect(result.usage.embeddingTokens).toBe(15);
  });

  it('scores SQuAD v1.1 with the v1.1 rules, skipping questions without gold answers', async () => {
    const golds: QaExample[] = [
      { id: 'e1', question: 'q?', answers: ['.'] }, // normalises to empty: v1.1 keeps it, v2.0 drops it
      { id: 'e2', question: 'q?', answers: ['on the mat'] },
      { id: 'e3', question: 'q?', answers: [] },
    ];
    const answers: Record<string, string> = { e1: 'the', e2: 'on a mat', e3: 'x' };
    const run = (answerMetric: 'squad' | 'squad-v1') =>
      evaluatePipeline({
        ask: async (_q, { example }) => ({ answer: answers[example.id]! }),
        examples: golds,
        answerMetric,
        judgedMetrics: { faithfulness: false, answerRelevance: false },
      });
    const v1 = await run('squad-v1');
    expect(v1.queries.find((r) => r.id === 'e1')!.metrics).toMatchObject({ exact: 1, f1: 0 });
    expect(v1.queries.find((r) => r.id === 'e3')!.metrics.exact).toBeUndefined();
    expect(v1.aggregate.exact).toBe(1);
    expect(v1.config.official).toEqual({ exact_match: 100, f1: 50 });
    const v2 = await run('squad');
    // v2.0: the '.' gold leaves no answer, "the" normalises to empty → a correct no-answer (EM 1, F1 1)
    expect(v2.queries.find((r) => r.id === 'e1')!.metrics).toMatchObject({ exact: 1, f1: 1 });
    await expect(
      evaluatePipeline({
        ask: async () => ({ answer: '' }),
        examples: golds,
        answerMetric: 'squad-v2' as 'squad',
      }),
    ).rejects.toThrow(/answerMetric must be one of 'squad', 'squad-v1', 'cmrc', 'nq-open'/);
  });

  it('scores a question the pipeline refuses (INVALID_ARGUMENT) as unanswered, and stops on any other error', async () => {
    const { RagloomError } = await import('@ragloom/core');
    const refusing = async (question: string) => {
      if (question.trim() === '')
        throw new RagloomError('INVALID_ARGUMENT', 'the query must be a non-empty string');
      return { answer: 'Dogs chase cats. [1]' };
    };
    const result = await evaluatePipeline({
      ask: refusing,
      examples: [
        { id: 'ok', question: 'Who chases cats?', answers: ['Dogs'] },
        { id: 'empty', question: ' ', answers: ['x'] },
      ],
      judgedMetrics: { faithfulness: false, answerRelevance: false },
    });
    expect(result.refusedQuestions).toBe(1);
    expect(result.judgeFailures).toBe(0);
    const empty = result.queries.find((q) => q.id === 'empty')!;
    expect(empty.errors).toEqual(['ask: the query must be a non-empty string']);
    expect(empty.metrics.exact).toBe(0);
    await expect(
      evaluatePipeline({
        ask: async () => {
          throw new RagloomError('UPSTREAM_ERROR', 'the generator is down');
        },
        examples: [{ id: 'ok', question: 'Who chases cats?', answers: ['Dogs'] }],
      }),
    ).rejects.toMatchObject({ code: 'UPSTREAM_ERROR' });
  });

  it('finds a Chinese gold answer inside a longer answer (CMRC: ignoring spaces and punctuation)', async () => {
    const result = await evaluatePipeline({
      ask: async () => ({ answer: '北京 是中国的首都。[1]' }),
      examples: [{ id: 'c1', question: '中国的首都是哪里？', answers: ['北京'] }],
      answerMetric: 'cmrc',
      judgedMetrics: { faithfulness: false, answerRelevance: false },
    });
    expect(result.queries[0]!.metrics).toMatchObject({ answerHasGold: 1, answerCharacters: 9 });
  });
});

describe('evaluateRetriever with a search function (a whole pipeline)', () => {
  it('scores what the function returns and counts the tokens it embedded', async () => {
    const encoder = createHashingEncoder({ dimension: 128 });
    const vectors = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
    const keyword = createMemoryKeywordRetriever();
    const pipeline = createPipeline({ encoder, retrievers: [vectors, keyword] });
    await pipeline.ingest(docs);
    const result = await evaluateRetriever({
      name: 'pipeline',
      search: async (text, { k, signal }) => {
        const { passages, embeddingTokens } = await pipeline.retrieveWithUsage(text, { k, signal });
        return { hits: passages.map((p) => ({ id: p.documentId, score: p.score })), embeddingTokens };
      },
      queries,
      qrels,
      k: 3,
      measures: ['mrr@3'],
    });
    expect(result.aggregate['mrr@3']).toBeGreaterThan(0.5);
    const { usage } = await encoder.embed({ texts: queries.map((q) => q.text), inputType: 'query' });
    expect(result.usage.embeddingTokens).toBe(usage!.tokens);
    await expect(evaluateRetriever({ queries, qrels })).rejects.toThrow(/either a `retriever` or a `search`/);
  });
});
