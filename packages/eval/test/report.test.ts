import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  isRagloomError,
} from '@ragloom/core';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { compareRuns, pairedRandomizationTest } from '../src/report/compare-runs.js';
import {
  createReport,
  type EvalReport,
  parseJsonReport,
  readJsonReport,
  toJsonReport,
} from '../src/report/eval-report.js';
import { toHtmlReport } from '../src/report/html-report.js';
import { toMarkdownReport } from '../src/report/markdown-report.js';
import { writeReport } from '../src/report/write-report.js';
import { evaluatePipeline } from '../src/runner/evaluate-pipeline.js';
import { evaluateRetriever } from '../src/runner/evaluate-retriever.js';
import type { RetrievalRunResult } from '../src/runner/run-types.js';

const results = join(import.meta.dirname, '..', 'test-results');
const CHROMIUM = '/usr/bin/chromium';

// Two retrievers over one small bilingual corpus (core's reference components: plumbing, not a benchmark).
const docs = [
  'The cat sat on the mat.',
  'Dogs chase cats in the park.',
  'Quantum chromodynamics describes the strong force.',
  'The stock market fell sharply on Monday.',
  '北京是中国的首都。',
  'A mat for yoga, not for cats.',
  'Markets rallied after the rate cut.',
  'The strong nuclear force binds quarks.',
].map((text, i) => ({ id: `d${i + 1}`, text }));
const queries = [
  ['q1', 'cat on a mat', { d1: 2, d6: 1 }],
  ['q2', 'strong force physics', { d3: 1, d8: 1 }],
  ['q3', '中国的首都', { d5: 1 }],
  ['q4', 'dogs in a park', { d2: 1 }],
  ['q5', 'stock markets', { d4: 1, d7: 1 }],
  ['q6', 'yoga mat', { d6: 1 }],
] as const;
const qrels = Object.fromEntries(queries.map(([id, , judged]) => [id, judged]));
const measures = ['ndcg@1', 'ndcg@3', 'ndcg@5', 'recall@1', 'recall@3', 'recall@5', 'mrr@5'];

let dense: RetrievalRunResult;
let lexical: RetrievalRunResult;
let report: EvalReport;

beforeAll(async () => {
  const encoder = createHashingEncoder({ dimension: 64 });
  const vectors = createMemoryVectorRetriever({ dimension: 64, encoderModelId: encoder.modelId });
  const { embeddings } = await encoder.embed({ texts: docs.map((d) => d.text), inputType: 'document' });
  await vectors.upsert(docs.map((d, i) => ({ ...d, vector: embeddings[i]! })));
  const keyword = createMemoryKeywordRetriever();
  await keyword.upsert(docs);
  const list = queries.map(([id, text]) => ({ id, text }));
  dense = await evaluateRetriever({
    name: 'hashing-dense',
    retriever: vectors,
    encoder,
    queries: list,
    qrels,
    k: 5,
    measures,
  });
  lexical = await evaluateRetriever({
    name: 'keyword',
    retriever: keyword,
    queries: list,
    qrels,
    k: 5,
    measures,
  });
  const pipeline = await evaluatePipeline({
    name: 'echo pipeline',
    examples: [
      { id: 'p1', question: 'What is the capital of China?', answers: ['北京', 'Beijing'], contextId: 'd5' },
      { id: 'p2', question: 'Where did the cat sit?', answers: ['on the mat'], contextId: 'd1' },
    ],
    ask: async (question) => {
      const hits = await keyword.search({ text: question, k: 2 });
      return {
        answer: hits[0]?.text ?? '',
        passages: hits,
        usage: { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
        embeddingTokens: 7,
      };
    },
    answerMetric: 'squad',
  });
  report = createReport([dense, lexical, pipeline], { title: 'ragloom eval — report test <&>' });
});

describe('comparison of runs', () => {
  it('computes deltas, wins/losses/ties and a paired randomization p-value', () => {
    const comparison = compareRuns([dense, lexical]);
    const ndcg = comparison.measures.find((m) => m.measure === 'ndcg@3')!;
    expect(ndcg.deltas[1]).toBeCloseTo(lexical.aggregate['ndcg@3']! - dense.aggregate['ndcg@3']!, 15);
    const paired = ndcg.paired[1]!;
    expect(paired.wins + paired.losses + paired.ties).toBe(6);
    let wins = 0;
    for (const q of lexical.queries) {
      const base = dense.queries.find((d) => d.id === q.id)!.metrics!['ndcg@3']!;
      if (q.metrics!['ndcg@3']! > base + 1e-12) wins++;
    }
    expect(paired.wins).toBe(wins);
    // hand-checkable p-values: all-equal differences → 1; 10 identical gains → 2/2^10 exactly in the limit
    expect(pairedRandomizationTest([0, 0, 0])).toBe(1);
    const p = pairedRandomizationTest(new Array(10).fill(0.1), 20_000, 7);
    expect(p).toBeGreaterThan(0.0005);
    expect(p).toBeLessThan(0.005);
    expect(pairedRandomizationTest(new Array(10).fill(0.1), 20_000, 7)).toBe(p); // seeded: repeatable
    expect(() => compareRuns([dense])).toThrow(/at least two runs/);
  });
});

describe('JSON and Markdown reports', () => {
  it('round-trips through JSON and verifies what it loads', async () => {
    await mkdir(results, { recursive: true });
    const file = join(results, 'eval-report.json');
    await writeReport(file, report);
    const loaded = await readJsonReport(file);
    expect(loaded.runs.map((r) => r.name)).toEqual(['hashing-dense', 'keyword', 'echo pipeline']);
    expect(loaded.runs[0]!.aggregate).toEqual(dense.aggregate);
    expect(() => parseJsonReport('{"format":"something-else"}', 'x.json')).toThrow(
      /x\.json is not a ragloom eval report/,
    );
    expect(() => parseJsonReport(toJsonReport(report).replace('"version": 1', '"version": 99'))).toThrow(
      /version 99/,
    );
    let error: unknown;
    try {
      parseJsonReport('{"format":"ragloom-eval-report","version":1,"runs":[{"kind":"retrieval"}]}');
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'INVALID_ARGUMENT')).toBe(true);
    expect(() => createReport([dense, dense])).toThrow(/two runs are named "hashing-dense"/);
  });

  it('renders tables, deltas and the fallback labels in Markdown', () => {
    const markdown = toMarkdownReport(report, { perQueryRows: 3 });
    expect(markdown).toContain('# ragloom eval — report test <&>');
    expect(markdown).toMatch(/\| hashing-dense \| 6 \| [0-9.]+ \|/);
    expect(markdown).toContain('## Compared with hashing-dense');
    const delta = lexical.aggregate['ndcg@3']! - dense.aggregate['ndcg@3']!;
    expect(markdown).toContain(`${delta >= 0 ? '+' : '−'}${Math.abs(delta).toFixed(4)}`);
    expect(markdown).toContain('token overlap (deterministic offline fallback, not an LLM judgment)');
    expect(markdown).toContain('## Latency (ms per query)');
    // 2 questions × (7 embedded, 10 + 5 generated)
    expect(markdown).toContain('echo pipeline: 14 embedding + 20 prompt + 10 completion tokens');
  });

  it('lists the answer and the gold answers in the per-query table of a QA run', () => {
    const qaOnly = createReport([report.runs[2]!], { title: 'qa' });
    const markdown = toMarkdownReport(qaOnly, { perQueryRows: 2 });
    const header = markdown.split('\n').find((l) => l.startsWith('| query |'))!;
    expect(header).toMatch(/^\| query \| text \| answer \| gold \|/);
    expect(markdown).toContain('| 北京 \\| Beijing |'); // distinct golds, the separator escaped
    expect(markdown).toContain('| on the mat |');
  });
});

describe.skipIf(!existsSync(CHROMIUM))(
  'HTML report in headless Chromium (skipped when /usr/bin/chromium is not installed)',
  () => {
    it('is self-contained and its charts render', async () => {
      const html = await toHtmlReport(report);
      expect(html).not.toMatch(/<script[^>]+src=/); // nothing loaded from elsewhere
      expect(html).toContain('Chart.js'); // the library is inlined
      expect(html).not.toContain('test <&>'); // titles are escaped
      const file = join(results, 'eval-report.html');
      await mkdir(results, { recursive: true });
      await writeFile(file, html);
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        const requests: string[] = [];
        const errors: string[] = [];
        page.on('request', (r) => requests.push(r.url()));
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(pathToFileURL(file).href);
        await page.waitForSelector('body[data-charts-rendered]');
        expect(errors).toEqual([]);
        expect(requests.filter((u) => !u.startsWith('file:'))).toEqual([]);
        const charts = await page.evaluate(() => {
          const chartApi = (
            window as unknown as {
              Chart: {
                getChart(
                  c: HTMLCanvasElement,
                ): { config: { type: string }; data: { datasets: unknown[] } } | undefined;
              };
            }
          ).Chart;
          return [...document.querySelectorAll('canvas')].map((canvas) => {
            const chart = chartApi.getChart(canvas);
            const context = canvas.getContext('2d')!;
            const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
            let painted = 0;
            for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) painted++;
            return {
              id: canvas.id,
              type: chart?.config.type,
              datasets: chart?.data.datasets.length,
              width: canvas.width,
              painted,
            };
          });
        });
        const ids = charts.map((c) => c.id);
        expect(ids).toEqual(
          expect.arrayContaining(['chart-by-k-ndcg', 'chart-by-k-recall', 'chart-latency', 'chart-metrics']),
        );
        expect(await page.getAttribute('body', 'data-charts-rendered')).toBe(String(charts.length));
        for (const chart of charts) {
          expect(chart.type, chart.id).toMatch(/line|bar/);
          expect(chart.datasets, chart.id).toBe(3);
          expect(chart.width, chart.id).toBeGreaterThan(200);
          expect(chart.painted, `${chart.id} has drawn pixels`).toBeGreaterThan(2000);
        }
        const rows = await page.$$eval('#per-query-table tbody tr', (trs) => trs.length);
        expect(rows).toBe(8); // q1..q6 and p1, p2
        expect(await page.textContent('#comparison-table')).toContain('keyword');
        expect(await page.textContent('#per-query-table')).toContain('中国的首都'); // CJK text survives escaping
        const headers = await page.$$eval('#per-query-table th', (ths) => ths.map((th) => th.textContent));
        expect(headers).toEqual(expect.arrayContaining(['echo pipeline: answer', 'echo pipeline: gold']));
        expect(await page.textContent('#per-query-table')).toContain('北京 | Beijing');
        // sorting the per-query table by a column works
        await page.click('#per-query-table th:nth-child(1)');
        const firstId = await page.textContent('#per-query-table tbody tr:first-child td:first-child');
        expect(firstId).toBe('q6');
        await page.screenshot({ path: join(results, 'eval-report.png'), fullPage: true });
        expect(existsSync(join(results, 'eval-report.png'))).toBe(true);
      } finally {
        await browser.close();
      }
    });
  },
);

it('writes Markdown and HTML by extension, atomically', async () => {
  const md = join(results, 'eval-report.md');
  await writeReport(md, report);
  expect(await readFile(md, 'utf8')).toContain('## Usage');
  await expect(writeReport(join(results, 'report.txt'), report)).rejects.toMatchObject({
    code: 'INVALID_ARGUMENT',
  });
});
