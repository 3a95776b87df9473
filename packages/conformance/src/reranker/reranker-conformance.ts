import type { RerankerV1, RerankRequest } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { sequentialThenConcurrent } from '../shared/concurrency.js';
import { conformanceTest, type SkipMap } from '../shared/conformance-test.js';
import { expectRagloomError } from '../shared/expect-ragloom-error.js';

export const RERANKER_CONFORMANCE_TESTS = [
  'metadata',
  'permutation-sorted',
  'batch-equals-single',
  'top-k',
  'deterministic',
  'empty-documents',
  'cjk',
  'long-passage',
  'invalid-input',
  'abort',
  'concurrent-equals-sequential',
] as const;

export type RerankerConformanceTest = (typeof RERANKER_CONFORMANCE_TESTS)[number];

export interface RerankerConformanceOptions {
  readonly name: string;
  readonly create: () => RerankerV1 | Promise<RerankerV1>;
  /** Max abs difference between a score in a batch and the same pair alone (default 1e-4). */
  readonly tolerance?: number;
  readonly skip?: SkipMap<RerankerConformanceTest>;
  readonly timeout?: number;
  readonly additionalTests?: (getReranker: () => RerankerV1) => void;
}

const QUERY = 'how many people live in berlin?';
const DOCUMENTS = [
  'Berlin has a population of about 3.7 million people.',
  'Paris is the capital of France.',
  'The Berlin Wall fell in 1989.',
  'Bananas are rich in potassium.',
  '柏林的人口大约有三百七十万。',
  'People who live in Berlin are called Berliners; around 3.7 million of them.',
];

/** The Reranker v1 conformance suite. */
export function describeRerankerConformance(options: RerankerConformanceOptions): void {
  const tolerance = options.tolerance ?? 1e-4;
  let reranker: RerankerV1 | undefined;
  const get = () => {
    if (!reranker) throw new Error('reranker was not created (see the beforeAll error)');
    return reranker;
  };
  const test = (name: RerankerConformanceTest, fn: () => Promise<void>) =>
    conformanceTest(name, options.skip, fn, options.timeout);

  describe(`Reranker conformance: ${options.name}`, () => {
    beforeAll(async () => {
      reranker = await options.create();
    }, options.timeout ?? 120_000);
    afterAll(async () => {
      await reranker?.close?.();
    });

    test('metadata', async () => {
      expect(get().specificationVersion).toBe('v1');
      expect(get().modelId.length).toBeGreaterThan(0);
    });

    test('permutation-sorted', async () => {
      const results = await get().rerank({ query: QUERY, documents: DOCUMENTS });
      expect(results.map((r) => r.index).sort((a, b) => a - b)).toEqual(DOCUMENTS.map((_, i) => i));
      for (let i = 1; i < results.length; i++) {
        const [a, b] = [results[i - 1]!, results[i]!];
        expect(Number.isFinite(b.score)).toBe(true);
        expect(a.score > b.score || (a.score === b.score && a.index < b.index), `order at ${i}`).toBe(true);
      }
    });

    test('batch-equals-single', async () => {
      const batch = await get().rerank({ query: QUERY, documents: DOCUMENTS });
      const byIndex = new Map(batch.map((r) => [r.index, r.score]));
      for (const [i, doc] of DOCUMENTS.entries()) {
        const [alone] = await get().rerank({ query: QUERY, documents: [doc] });
        expect(alone!.index).toBe(0);
        const diff = Math.abs(alone!.score - byIndex.get(i)!);
        expect(diff, `"${doc}": batch vs alone differ by ${diff}`).toBeLessThanOrEqual(tolerance);
      }
    });

    test('top-k', async () => {
      const all = await get().rerank({ query: QUERY, documents: DOCUMENTS });
      const top = await get().rerank({ query: QUERY, documents: DOCUMENTS, topK: 2 });
      expect(top.map((r) => r.index)).toEqual(all.slice(0, 2).map((r) => r.index));
      await expectRagloomError(
        () => get().rerank({ query: QUERY, documents: DOCUMENTS, topK: 0 }),
        'INVALID_ARGUMENT',
        'topK 0',
      );
    });

    test('deterministic', async () => {
      const a = await get().rerank({ query: QUERY, documents: DOCUMENTS });
      const b = await get().rerank({ query: QUERY, documents: DOCUMENTS });
      expect(b.map((r) => r.index)).toEqual(a.map((r) => r.index));
    });

    test('empty-documents', async () => {
      expect(await get().rerank({ query: QUERY, documents: [] })).toEqual([]);
    });

    test('cjk', async () => {
      const results = await get().rerank({
        query: '柏林有多少人口？',
        documents: ['柏林的人口大约有三百七十万。', '🍌 香蕉'],
      });
      expect(results).toHaveLength(2);
      for (const r of results) expect(Number.isFinite(r.score)).toBe(true);
    });

    test('long-passage', async () => {
      const long = 'Berlin is a large city with many people. '.repeat(2000);
      const results = await get().rerank({ query: QUERY, documents: [long, DOCUMENTS[1]!] });
      expect(results).toHaveLength(2);
      for (const r of results) expect(Number.isFinite(r.score)).toBe(true);
    });

    test('invalid-input', async () => {
      await expectRagloomError(
        () => get().rerank({ query: 42 as unknown as string, documents: DOCUMENTS }),
        'INVALID_ARGUMENT',
        'query is a number',
      );
      await expectRagloomError(
        () => get().rerank({ query: QUERY, documents: [null as unknown as string] }),
        'INVALID_ARGUMENT',
        'a null document',
      );
    });

    test('abort', async () => {
      const controller = new AbortController();
      controller.abort();
      await expectRagloomError(
        () => get().rerank({ query: QUERY, documents: DOCUMENTS, signal: controller.signal }),
        'ABORTED',
        'rerank with an aborted signal',
      );
    });

    test('concurrent-equals-sequential', async () => {
      // A search service reranks every incoming query's candidates at once.
      const requests: RerankRequest[] = [
        { query: QUERY, documents: DOCUMENTS },
        { query: QUERY, documents: DOCUMENTS, topK: 2 },
        { query: 'when did the Berlin Wall fall?', documents: DOCUMENTS.slice(1) },
        { query: '柏林有多少人口？', documents: [DOCUMENTS[4]!, DOCUMENTS[3]!] },
        { query: 'potassium in bananas', documents: [DOCUMENTS[3]!] },
        { query: QUERY, documents: ['Berlin is a large city with many people. '.repeat(300), ...DOCUMENTS] },
        { query: 'capital of France', documents: [...DOCUMENTS].reverse() },
      ];
      const { sequential, concurrent } = await sequentialThenConcurrent(
        requests.map((request) => () => get().rerank(request)),
      );
      requests.forEach((request, r) => {
        const what = `request ${r} ("${request.query}", ${request.documents.length} documents)`;
        expect(
          concurrent[r]!.map((x) => x.index),
          `${what}: order concurrent vs one at a time`,
        ).toEqual(sequential[r]!.map((x) => x.index));
        concurrent[r]!.forEach((x, i) => {
          const diff = Math.abs(x.score - sequential[r]![i]!.score);
          expect(diff, `${what}, document ${x.index}: scores differ by ${diff}`).toBeLessThanOrEqual(
            tolerance,
          );
        });
      });
    });

    options.additionalTests?.(get);
  });
}
