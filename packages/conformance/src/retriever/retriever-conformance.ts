import {
  compileFilter,
  type DenseIndexManifest,
  type Filter,
  type Metric,
  type RetrieverRecord,
  type RetrieverV1,
  type SearchHit,
  similarity,
} from '@ragloom/core';
import { describe, expect } from 'vitest';
import { conformanceTest, type SkipMap } from '../shared/conformance-test.js';
import { expectRagloomError } from '../shared/expect-ragloom-error.js';
import { randomVector, seededRandom } from '../shared/seeded-random.js';
import { DEFAULT_CONCURRENCY_RECORDS } from './concurrency-corpus.js';
import {
  COMMON_WORD,
  CONFORMANCE_FILTERS,
  CORPUS_DIMENSION,
  CORPUS_SIZE,
  CORPUS_WORDS,
  type CorpusRecord,
  conformanceCorpus,
  TOP_K_FILTERS,
} from './conformance-corpus.js';
import { outOfOrderAt } from './hit-order.js';
import { exactTopK, recordsMatching, scoreTolerance } from './reference-search.js';
import { describeRetrieverConcurrency } from './retriever-concurrency.js';

export const RETRIEVER_CONFORMANCE_TESTS = [
  'empty-index',
  'upsert-and-count',
  'metadata-roundtrip',
  'upsert-replaces',
  'delete-by-ids',
  'delete-by-filter',
  'filter-operators',
  'filtered-top-k',
  'metric-scores',
  'text-matching',
  'cjk-text',
  'k-larger-than-count',
  'scores-sorted',
  'stable-ties',
  'invalid-k',
  'invalid-filter',
  'invalid-records',
  'dimension-mismatch',
  'non-finite-vector',
  'manifest-mismatch',
  'abort',
  'scan',
  'persistence',
  'persistence-contract',
  'concurrent-searches',
  'search-during-upsert',
  'search-during-delete',
  'search-during-compaction',
] as const;

export type RetrieverConformanceTest = (typeof RETRIEVER_CONFORMANCE_TESTS)[number];

export interface RetrieverFactoryContext {
  /** Vector mode: the manifest the retriever must be created with. Undefined in text mode. */
  readonly manifest?: DenseIndexManifest;
  /** Unique per test and safe as a file or collection name ([a-z0-9_]). */
  readonly id: string;
}

export interface RetrieverConformanceOptions {
  /** Shown in the describe block, e.g. 'hnsw'. */
  readonly name: string;
  /** 'vector' for dense retrievers, 'text' for lexical ones. */
  readonly query: 'vector' | 'text';
  /** A fresh, empty retriever for each test. */
  readonly create: (context: RetrieverFactoryContext) => RetrieverV1 | Promise<RetrieverV1>;
  /** Clean up after each test (drop the collection, remove files). Defaults to `retriever.close?.()`. */
  readonly destroy?: (retriever: RetrieverV1, context: RetrieverFactoryContext) => void | Promise<void>;
  /** Persistence round trip: save and open again from storage. Without it, 'persistence' is skipped. */
  readonly reopen?: (retriever: RetrieverV1, context: RetrieverFactoryContext) => Promise<RetrieverV1>;
  /**
   * Runs the retriever's compaction (or any step that reorganises what it stores) to completion,
   * for 'search-during-compaction'. Without it, that test is skipped.
   */
  readonly compact?: (retriever: RetrieverV1) => Promise<unknown>;
  /**
   * Records the concurrency tests ('search-during-*') write while searches run (default 420). Raise
   * it when your retriever yields to the event loop (or sends its first request) only after more
   * work than that, so that searches do run in the middle of a write; lower it for a slow backend.
   */
  readonly concurrencyRecords?: number;
  /** Metrics to check in vector mode (default: cosine, dot, l2). */
  readonly metrics?: readonly Metric[];
  /** Named opt-outs with the reason, e.g. `{ 'stable-ties': 'backend orders ties arbitrarily' }`. */
  readonly skip?: SkipMap<RetrieverConformanceTest>;
  /** Per-test timeout in ms (default 30 s; remote backends may need more). */
  readonly timeout?: number;
  /** More tests of your own, registered inside the suite's describe block. */
  readonly additionalTests?: (helpers: RetrieverSuiteHelpers) => void;
}

export interface RetrieverSuiteHelpers {
  /** Runs `fn` with a fresh retriever loaded with the conformance corpus, and cleans up after. */
  withCorpus(fn: (retriever: RetrieverV1, corpus: CorpusRecord[]) => Promise<void>): Promise<void>;
  corpus(): CorpusRecord[];
}

const MODEL_ID = 'ragloom-conformance/encoder-v1';
let sequence = 0;

function expectSorted(hits: readonly SearchHit[], what: string) {
  for (const hit of hits)
    expect(Number.isFinite(hit.score), `${what}: score of ${hit.id} is not finite`).toBe(true);
  const at = outOfOrderAt(hits);
  expect(
    at,
    at === -1
      ? what
      : `${what}: hits out of order at ${at}: ${hits[at - 1]!.id} (${hits[at - 1]!.score}) before ${hits[at]!.id} (${hits[at]!.score})`,
  ).toBe(-1);
}

const sortedIds = (hits: readonly { id: string }[]) => hits.map((h) => h.id).sort();

/**
 * The Retriever v1 conformance suite. Call it from a test file of your adapter; every retriever in
 * ragloom passes it, so a host can swap one for another and get the same hits for the same filter.
 */
export function describeRetrieverConformance(options: RetrieverConformanceOptions): void {
  const vectorMode = options.query === 'vector';
  const skip: SkipMap<RetrieverConformanceTest> = { ...options.skip };
  // Tests of the other query mode do not apply: they are not registered at all (a skip would read
  // as something the adapter left out). Skips are for what an adapter chooses not to offer.
  const otherMode = new Set<RetrieverConformanceTest>(
    vectorMode
      ? ['text-matching', 'cjk-text']
      : ['filtered-top-k', 'metric-scores', 'dimension-mismatch', 'non-finite-vector', 'manifest-mismatch'],
  );
  if (!options.reopen) skip.persistence ??= 'no reopen() given: the retriever does not persist';
  if (!options.compact)
    skip['search-during-compaction'] ??= 'no compact() given: the retriever does not compact';
  const timeout = options.timeout;
  const concurrencyRecords = options.concurrencyRecords ?? DEFAULT_CONCURRENCY_RECORDS;
  if (!Number.isInteger(concurrencyRecords) || concurrencyRecords < 30) {
    throw new Error(
      `concurrencyRecords must be an integer of at least 30, got ${String(concurrencyRecords)}`,
    );
  }
  const metrics = options.metrics ?? ['cosine', 'dot', 'l2'];

  const newContext = (metric: Metric = metrics[0] ?? 'cosine'): RetrieverFactoryContext => ({
    id: `conformance_${Date.now().toString(36)}_${(sequence++).toString(36)}`,
    manifest: vectorMode
      ? { kind: 'dense', encoderModelId: MODEL_ID, dimension: CORPUS_DIMENSION, metric }
      : undefined,
  });

  async function withRetriever(
    fn: (retriever: RetrieverV1, context: RetrieverFactoryContext) => Promise<void>,
    metric?: Metric,
  ): Promise<void> {
    const context = newContext(metric);
    let retriever = await options.create(context);
    try {
      await fn(retriever, context);
    } finally {
      if (options.destroy) await options.destroy(retriever, context);
      else await retriever.close?.();
      retriever = undefined as unknown as RetrieverV1;
    }
  }

  const toRecord = (r: CorpusRecord): RetrieverRecord =>
    vectorMode ? { id: r.id, text: r.text, metadata: r.metadata, vector: r.vector } : r;

  async function withCorpus(
    fn: (retriever: RetrieverV1, corpus: CorpusRecord[], context: RetrieverFactoryContext) => Promise<void>,
    metric?: Metric,
  ): Promise<void> {
    const corpus = conformanceCorpus();
    await withRetriever(async (retriever, context) => {
      await retriever.upsert(corpus.map(toRecord));
      await fn(retriever, corpus, context);
    }, metric);
  }

  const query = seededRandom(7);
  const queryVector = randomVector(query, CORPUS_DIMENSION);
  /** A search that reaches every record a filter allows. */
  const search = (retriever: RetrieverV1, k: number, filter?: Filter) =>
    retriever.search(vectorMode ? { vector: queryVector, k, filter } : { text: COMMON_WORD, k, filter });
  const searchAll = (retriever: RetrieverV1, filter?: Filter, k = 1000) => search(retriever, k, filter);

  const test = (name: RetrieverConformanceTest, fn: () => Promise<void>) => {
    if (!otherMode.has(name)) conformanceTest(name, skip, fn, timeout);
  };

  describe(`Retriever conformance: ${options.name} (${options.query} queries)`, () => {
    test('empty-index', () =>
      withRetriever(async (retriever) => {
        expect(retriever.specificationVersion).toBe('v1');
        expect(await retriever.count()).toBe(0);
        expect(await searchAll(retriever, undefined, 10)).toEqual([]);
      }));

    test('upsert-and-count', () =>
      withCorpus(async (retriever, corpus) => {
        expect(await retriever.count()).toBe(CORPUS_SIZE);
        for (const filter of [{ category: 'news' }, { tags: { $exists: false } }, { year: { $gte: 2020 } }]) {
          const expected = recordsMatching(corpus, filter).length;
          expect(await retriever.count(filter), `count(${JSON.stringify(filter)})`).toBe(expected);
        }
      }));

    test('metadata-roundtrip', () =>
      withCorpus(async (retriever, corpus) => {
        const hits = await searchAll(retriever);
        expect(hits).toHaveLength(CORPUS_SIZE);
        const byId = new Map(corpus.map((r) => [r.id, r]));
        for (const hit of hits) {
          const original = byId.get(hit.id);
          expect(original, `unknown id ${hit.id}`).toBeDefined();
          expect(hit.text, `text of ${hit.id}`).toBe(original!.text);
          expect(hit.metadata, `metadata of ${hit.id}`).toEqual(original!.metadata);
        }
      }));

    test('upsert-replaces', () =>
      withCorpus(async (retriever, corpus) => {
        const target = corpus[5]!;
        const replacement: CorpusRecord = {
          id: target.id,
          text: `${COMMON_WORD} replaced ${CORPUS_WORDS[0]}`,
          metadata: { category: 'replaced', year: 1999 },
          vector: queryVector.map((x) => x * 2),
        };
        await retriever.upsert([toRecord(replacement)]);
        expect(await retriever.count()).toBe(CORPUS_SIZE);
        const hits = await searchAll(retriever);
        const found = hits.filter((h) => h.id === target.id);
        expect(found, 'the replaced record appears exactly once').toHaveLength(1);
        expect(found[0]!.text).toBe(replacement.text);
        expect(found[0]!.metadata).toEqual(replacement.metadata);
        expect(sortedIds(await searchAll(retriever, { category: 'replaced' }))).toEqual([target.id]);
        expect(
          (await searchAll(retriever, { category: target.metadata.category as string })).some(
            (h) => h.id === target.id,
          ),
          'old metadata no longer matches',
        ).toBe(false);
        if (vectorMode) {
          const top = await retriever.search({ vector: queryVector, k: 1 });
          const metric = (retriever.manifest as DenseIndexManifest).metric;
          if (metric !== 'l2') expect(top[0]?.id, 'the new vector is searched').toBe(target.id);
        }
      }));

    test('delete-by-ids', () =>
      withCorpus(async (retriever) => {
        const doomed = ['doc-01', 'doc-17', 'doc-33'];
        const { deleted } = await retriever.delete({ ids: [...doomed, 'no-such-id'] });
        expect(deleted).toBe(3);
        expect(await retriever.count()).toBe(CORPUS_SIZE - 3);
        const ids = new Set((await searchAll(retriever)).map((h) => h.id));
        for (const id of doomed) expect(ids.has(id), `${id} was deleted`).toBe(false);
        expect(ids.size).toBe(CORPUS_SIZE - 3);
        expect((await retriever.delete({ ids: doomed })).deleted, 'deleting again removes nothing').toBe(0);
      }));

    test('delete-by-filter', () =>
      withCorpus(async (retriever, corpus) => {
        const filter: Filter = { $or: [{ category: 'sport' }, { tags: 'gold' }] };
        const predicate = compileFilter(filter);
        const expected = recordsMatching(corpus, filter).length;
        expect(expected).toBeGreaterThan(0);
        expect((await retriever.delete({ filter })).deleted).toBe(expected);
        expect(await retriever.count()).toBe(CORPUS_SIZE - expected);
        const hits = await searchAll(retriever);
        expect(hits).toHaveLength(CORPUS_SIZE - expected);
        for (const hit of hits) expect(predicate(hit.metadata), `${hit.id} should be gone`).toBe(false);
      }));

    test('filter-operators', () =>
      withCorpus(async (retriever, corpus) => {
        const failures: string[] = [];
        for (const filter of CONFORMANCE_FILTERS) {
          const expected = recordsMatching(corpus, filter).map((r) => r.id);
          const actual = sortedIds(await searchAll(retriever, filter));
          if (JSON.stringify(actual) !== JSON.stringify(expected.sort())) {
            const missing = expected.filter((id) => !actual.includes(id));
            const extra = actual.filter((id) => !expected.includes(id));
            failures.push(`${JSON.stringify(filter)}: missing [${missing}] extra [${extra}]`);
          }
        }
        expect(
          failures,
          `filters that disagree with the reference evaluator:\n${failures.join('\n')}`,
        ).toEqual([]);
      }));

    test('filtered-top-k', () =>
      withCorpus(async (retriever, corpus) => {
        const metric = (retriever.manifest as DenseIndexManifest).metric;
        for (const filter of TOP_K_FILTERS) {
          const expected = exactTopK(corpus, queryVector, metric, filter, 5);
          const hits = await retriever.search({ vector: queryVector, k: 5, filter });
          expect(
            hits.map((h) => h.id),
            `exact filtered top-5 for ${JSON.stringify(filter)}`,
          ).toEqual(expected.map((h) => h.id));
        }
      }));

    test('metric-scores', async () => {
      for (const metric of metrics) {
        await withCorpus(async (retriever, corpus) => {
          expect(retriever.manifest).toEqual({
            kind: 'dense',
            encoderModelId: MODEL_ID,
            dimension: CORPUS_DIMENSION,
            metric,
          });
          const expected = exactTopK(corpus, queryVector, metric, {}, 10);
          const hits = await retriever.search({ vector: queryVector, k: 10 });
          expect(
            hits.map((h) => h.id),
            `${metric}: top-10 ids`,
          ).toEqual(expected.map((h) => h.id));
          hits.forEach((hit, i) => {
            const want = expected[i]!.score;
            expect(
              Math.abs(hit.score - want),
              `${metric}: score of ${hit.id} is ${hit.score}, expected ${want} (cosine similarity, dot product, or negative squared L2)`,
            ).toBeLessThanOrEqual(scoreTolerance(want));
          });
        }, metric);
      }
    });

    test('text-matching', () =>
      withCorpus(async (retriever, corpus) => {
        for (const word of CORPUS_WORDS.slice(0, 6)) {
          const expected = corpus.filter((r) => r.text.split(' ').includes(word)).map((r) => r.id);
          const hits = await retriever.search({ text: word, k: 1000 });
          expect(sortedIds(hits), `records containing "${word}"`).toEqual(expected.sort());
          expectSorted(hits, `query "${word}"`);
        }
        // Two words: every record containing either one, the ones with both first.
        const [a, b] = [CORPUS_WORDS[1], CORPUS_WORDS[2]];
        const both = corpus
          .filter((r) => r.text.includes(` ${a}`) && r.text.includes(` ${b}`))
          .map((r) => r.id);
        const hits = await retriever.search({ text: `${a} ${b}`, k: 1000 });
        const leaders = hits.slice(0, both.length).map((h) => h.id);
        expect(leaders.sort(), `records with both "${a}" and "${b}" rank first`).toEqual(both.sort());
      }));

    test('cjk-text', () =>
      withCorpus(async (retriever) => {
        await retriever.upsert([
          { id: 'zh-capital', text: '东京是日本的首都，也是一座大城市。', metadata: { lang: 'zh' } },
          { id: 'zh-river', text: '黄河流经九个省份。', metadata: { lang: 'zh' } },
        ]);
        const hits = await retriever.search({ text: '日本的首都', k: 3 });
        expect(hits[0]?.id, 'a Chinese query finds the Chinese passage').toBe('zh-capital');
        const filtered = await retriever.search({ text: '黄河', k: 5, filter: { lang: 'zh' } });
        expect(filtered[0]?.id).toBe('zh-river');
      }));

    test('k-larger-than-count', () =>
      withCorpus(async (retriever) => {
        expect(await searchAll(retriever, undefined, CORPUS_SIZE + 25)).toHaveLength(CORPUS_SIZE);
        expect(await searchAll(retriever, undefined, 3)).toHaveLength(3);
        const few = await searchAll(retriever, { author: 'ana', category: 'news' }, 1000);
        expect(few.length).toBeGreaterThan(0);
        expect(few.length).toBeLessThan(10);
      }));

    test('scores-sorted', () =>
      withCorpus(async (retriever) => {
        expectSorted(await searchAll(retriever), 'unfiltered search');
        expectSorted(await searchAll(retriever, { published: true }), 'filtered search');
        expectSorted(await searchAll(retriever, undefined, 7), 'top-7');
      }));

    test('stable-ties', () =>
      withRetriever(async (retriever) => {
        const random = seededRandom(99);
        const tied = ['tie-c', 'tie-a', 'tie-e', 'tie-b', 'tie-d'];
        const shared = randomVector(random, CORPUS_DIMENSION);
        const records: RetrieverRecord[] = tied.map((id) =>
          vectorMode
            ? { id, text: `${id} tie`, metadata: {}, vector: shared }
            : { id, text: 'zephyr quartz tie', metadata: {} },
        );
        for (let i = 0; i < 10; i++) {
          records.push(
            vectorMode
              ? {
                  id: `other-${i}`,
                  text: 'other',
                  metadata: {},
                  vector: randomVector(random, CORPUS_DIMENSION).map((x) => x * 0.1),
                }
              : { id: `other-${i}`, text: `${CORPUS_WORDS[i]} filler text`, metadata: {} },
          );
        }
        await retriever.upsert(records);
        const search = () =>
          retriever.search(vectorMode ? { vector: shared, k: 5 } : { text: 'zephyr', k: 5 });
        const first = await search();
        expect(
          first.map((h) => h.id),
          'equal scores are ordered by id',
        ).toEqual([...tied].sort());
        expect(
          (await search()).map((h) => h.id),
          'and in the same order every time',
        ).toEqual(first.map((h) => h.id));
      }));

    test('invalid-k', () =>
      withCorpus(async (retriever) => {
        for (const k of [0, -1, 1.5, Number.NaN]) {
          await expectRagloomError(() => searchAll(retriever, undefined, k), 'INVALID_ARGUMENT', `k = ${k}`);
        }
      }));

    test('invalid-filter', () =>
      withCorpus(async (retriever) => {
        const bad = { year: { $between: [1, 2] } } as unknown as Filter;
        const error = await expectRagloomError(() => searchAll(retriever, bad), 'INVALID_FILTER', 'search');
        expect(error.message).toContain('$between');
        await expectRagloomError(
          () => retriever.delete({ filter: bad }),
          'INVALID_FILTER',
          'delete by filter',
        );
        await expectRagloomError(() => retriever.count(bad), 'INVALID_FILTER', 'count');
        expect(await retriever.count(), 'nothing deleted by a rejected filter').toBe(CORPUS_SIZE);
      }));

    test('invalid-records', () =>
      withRetriever(async (retriever) => {
        const good = conformanceCorpus().map(toRecord)[0]!;
        await expectRagloomError(
          () => retriever.upsert([{ ...good, id: '' }]),
          'INVALID_ARGUMENT',
          'empty id',
        );
        await expectRagloomError(
          () => retriever.upsert([{ ...good, text: 42 as unknown as string }]),
          'INVALID_ARGUMENT',
          'non-string text',
        );
        await expectRagloomError(
          () => retriever.upsert([{ ...good, metadata: { nested: { a: 1 } } as never }]),
          'INVALID_ARGUMENT',
          'nested metadata',
        );
        expect(await retriever.count(), 'a rejected batch stores nothing').toBe(0);
      }));

    test('dimension-mismatch', () =>
      withRetriever(async (retriever) => {
        const record = { id: 'a', text: 'a', metadata: {} };
        const short = randomVector(seededRandom(1), CORPUS_DIMENSION - 1);
        const e = await expectRagloomError(
          () => retriever.upsert([{ ...record, vector: short }]),
          'DIMENSION_MISMATCH',
          'upsert with a short vector',
        );
        expect(e.message).toMatch(
          new RegExp(
            `${CORPUS_DIMENSION - 1}.*${CORPUS_DIMENSION}|${CORPUS_DIMENSION}.*${CORPUS_DIMENSION - 1}`,
          ),
        );
        await retriever.upsert([{ ...record, vector: queryVector }]);
        await expectRagloomError(
          () => retriever.search({ vector: [...queryVector, 1], k: 1 }),
          'DIMENSION_MISMATCH',
          'search with a long vector',
        );
      }));

    test('non-finite-vector', () =>
      withRetriever(async (retriever) => {
        for (const bad of [Number.NaN, Number.POSITIVE_INFINITY]) {
          const vector = [...queryVector];
          vector[3] = bad;
          await expectRagloomError(
            () => retriever.upsert([{ id: 'x', text: 'x', metadata: {}, vector }]),
            'INVALID_ARGUMENT',
            `upsert with ${bad}`,
          );
          await expectRagloomError(
            () => retriever.search({ vector, k: 1 }),
            'INVALID_ARGUMENT',
            `search with ${bad}`,
          );
        }
        expect(await retriever.count()).toBe(0);
      }));

    test('manifest-mismatch', () =>
      withCorpus(async (retriever) => {
        expect(retriever.manifest.kind).toBe('dense');
        expect((retriever.manifest as DenseIndexManifest).encoderModelId).toBe(MODEL_ID);
        expect((retriever.manifest as DenseIndexManifest).dimension).toBe(CORPUS_DIMENSION);
        await expectRagloomError(
          () => retriever.search({ vector: queryVector, k: 3, encoderModelId: 'some-other/model' }),
          'MANIFEST_MISMATCH',
          'query embedded by another model',
        );
        const ok = await retriever.search({ vector: queryVector, k: 3, encoderModelId: MODEL_ID });
        expect(ok).toHaveLength(3);
      }));

    test('abort', () =>
      withCorpus(async (retriever) => {
        const controller = new AbortController();
        controller.abort();
        await expectRagloomError(
          () =>
            retriever.search(
              vectorMode
                ? { vector: queryVector, k: 3, signal: controller.signal }
                : { text: COMMON_WORD, k: 3, signal: controller.signal },
            ),
          'ABORTED',
          'search with an aborted signal',
        );
      }));

    test('scan', () =>
      withCorpus(async (retriever, corpus) => {
        if (!retriever.capabilities.scan || !retriever.scan) {
          expect(retriever.capabilities.scan, 'capabilities.scan is false and scan() is absent').toBe(false);
          expect(retriever.scan).toBeUndefined();
          return;
        }
        const seen = new Map<string, RetrieverRecord>();
        for await (const page of retriever.scan({ batchSize: 7 })) {
          expect(page.length).toBeLessThanOrEqual(7);
          for (const r of page) seen.set(r.id, r);
        }
        expect(seen.size).toBe(CORPUS_SIZE);
        const metric = vectorMode ? (retriever.manifest as DenseIndexManifest).metric : undefined;
        for (const original of corpus) {
          const r = seen.get(original.id)!;
          expect(r.text).toBe(original.text);
          expect(r.metadata).toEqual(original.metadata);
          if (vectorMode) {
            expect(r.vector, `${r.id}: dense scan returns vectors`).toBeDefined();
            // cosine indexes may store unit vectors: the direction must survive, and the values otherwise.
            const score = similarity(metric === 'cosine' ? 'cosine' : 'l2', [...r.vector!], original.vector);
            if (metric === 'cosine') expect(score).toBeGreaterThan(1 - 1e-5);
            else expect(-score).toBeLessThan(1e-8);
          }
        }
      }));

    test('persistence', () =>
      withCorpus(async (retriever, _corpus, context) => {
        await retriever.delete({ ids: ['doc-03'] });
        const before = await searchAll(retriever, { published: true });
        const reopened = await options.reopen!(retriever, context);
        try {
          expect(reopened.manifest).toEqual(retriever.manifest);
          expect(await reopened.count()).toBe(CORPUS_SIZE - 1);
          const after = await searchAll(reopened, { published: true });
          expect(after.map((h) => h.id)).toEqual(before.map((h) => h.id));
          after.forEach((h, i) => {
            expect(h.score).toBeCloseTo(before[i]!.score, 5);
            expect(h.text, `text of ${h.id} after reopening`).toBe(before[i]!.text);
            expect(h.metadata, `metadata of ${h.id} after reopening`).toEqual(before[i]!.metadata);
          });
        } finally {
          if (reopened !== retriever) await reopened.close?.();
        }
      }));

    describeRetrieverConcurrency({
      vectorMode,
      test,
      withRetriever: (fn) => withRetriever((retriever) => fn(retriever)),
      withCorpus: (fn) => withCorpus((retriever) => fn(retriever)),
      toRecord,
      queryVector,
      search,
      compact: options.compact,
      records: concurrencyRecords,
    });

    options.additionalTests?.({ withCorpus, corpus: conformanceCorpus });
  });
}
