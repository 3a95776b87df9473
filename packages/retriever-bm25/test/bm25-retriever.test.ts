import { expectRagloomError } from '@ragloom/conformance';
import {
  compareHits,
  compileFilter,
  type Filter,
  type ProgressEvent,
  type RetrieverRecord,
} from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { type Analyzer, createBm25Retriever } from '../src/index.js';

const corpus: RetrieverRecord[] = [
  { id: 'd1', text: 'The cat sat on the mat', metadata: { lang: 'en', year: 2019, tags: ['pets', 'home'] } },
  { id: 'd2', text: 'Cats and dogs are friendly pets', metadata: { lang: 'en', year: 2021, draft: true } },
  {
    id: 'd3',
    text: 'A dog chased the cat across the garden',
    metadata: { lang: 'en', year: 2023, tags: ['pets'] },
  },
  {
    id: 'd4',
    text: 'Stock markets fell sharply on Monday',
    metadata: { lang: 'en', year: 2022, score: null },
  },
  {
    id: 'd5',
    text: 'The garden cat sleeps in the sun',
    metadata: { lang: 'fr', when: '2024-01-31T10:00:00Z' },
  },
  { id: 'd6', text: 'Dogs love long walks in the park', metadata: { tags: [], year: 2020 } },
  { id: 'd7', text: 'cat cat cat', metadata: { lang: 'de', year: 2018, draft: false } },
];

const filters: Filter[] = [
  { lang: 'en' },
  { lang: { $ne: 'en' } },
  { lang: { $in: ['fr', 'de'] } },
  { lang: { $nin: ['en'] } },
  { year: { $gt: 2019 } },
  { year: { $gte: 2019, $lt: 2023 } },
  { year: { $lte: 2019 } },
  { tags: 'pets' },
  { tags: { $exists: true } },
  { tags: { $exists: false } },
  { score: { $exists: false } },
  { draft: true },
  { draft: { $ne: true } },
  { when: { $gte: '2024-01-01' } },
  { $or: [{ lang: 'fr' }, { year: { $lt: 2020 } }] },
  { $not: { lang: 'en' } },
  { $and: [{ lang: 'en' }, { tags: { $in: ['home', 'pets'] } }] },
  {},
];

describe('BM25 retriever: the Retriever v1 contract', () => {
  it('describes itself', () => {
    const r = createBm25Retriever();
    expect(r.specificationVersion).toBe('v1');
    expect(r.provider).toBe('bm25');
    expect(r.manifest).toEqual({ kind: 'sparse', analyzer: 'english-v1' });
    expect(r.capabilities).toEqual({ query: 'text', scan: true, persistent: false });
    expect(createBm25Retriever({ path: '/tmp/x.bm25' }).capabilities.persistent).toBe(true);
  });

  it('finds documents by their words and ranks the better match first', async () => {
    const r = createBm25Retriever();
    await r.upsert(corpus);
    const hits = await r.search({ text: 'cats', k: 3 });
    // d1 (3 terms after stop words) is shorter than d2 (4), so it ranks above it.
    expect(hits.map((h) => h.id)).toEqual(['d7', 'd1', 'd2']);
    expect(hits[0]!.text).toBe('cat cat cat');
    expect(hits[0]!.metadata).toEqual({ lang: 'de', year: 2018, draft: false });
    expect(await r.count()).toBe(7);
  });

  it('replaces a record upserted again under the same id', async () => {
    const r = createBm25Retriever();
    await r.upsert(corpus);
    await r.upsert([{ id: 'd4', text: 'Penguins waddle on ice', metadata: { lang: 'en' } }]);
    expect(await r.count()).toBe(7);
    expect(await r.search({ text: 'stock markets', k: 5 })).toEqual([]);
    const [hit] = await r.search({ text: 'penguin', k: 5 });
    expect(hit).toMatchObject({ id: 'd4', text: 'Penguins waddle on ice', metadata: { lang: 'en' } });
    // The last of duplicate ids in one batch wins.
    await r.upsert([
      { id: 'dup', text: 'first version' },
      { id: 'dup', text: 'second version' },
    ]);
    expect((await r.search({ text: 'version', k: 5 })).map((h) => h.text)).toEqual(['second version']);
  });

  it('deletes by ids (unknown ids ignored) and by filter', async () => {
    const r = createBm25Retriever();
    await r.upsert(corpus);
    expect(await r.delete({ ids: ['d1', 'd1', 'nope'] })).toEqual({ deleted: 1 });
    expect((await r.search({ text: 'mat', k: 5 })).map((h) => h.id)).toEqual([]);
    expect(await r.delete({ filter: { lang: 'en' } })).toEqual({ deleted: 3 });
    expect(await r.count()).toBe(3);
    expect((await r.search({ text: 'cat', k: 10 })).map((h) => h.id).sort()).toEqual(['d5', 'd7']);
    await expectRagloomError(
      () => r.delete({ filter: { lang: { $regex: 'x' } } as unknown as Filter }),
      'INVALID_FILTER',
      'r.delete({ filter: { lang: { $regex: "x" } } as unknown as Filter })',
    );
    await expectRagloomError(
      () => r.delete({} as unknown as { ids: string[] }),
      'INVALID_ARGUMENT',
      'r.delete({} as unknown as { ids: string[] })',
    );
    await expectRagloomError(
      () => r.delete({ ids: 'd2' } as unknown as { ids: string[] }),
      'INVALID_ARGUMENT',
      'r.delete({ ids: "d2" } as unknown as { ids: string[] })',
    );
  });

  it.each(filters.map((f) => [JSON.stringify(f), f] as const))(
    'applies filter %s exactly as core’s reference evaluator',
    async (_, filter) => {
      const r = createBm25Retriever();
      await r.upsert(corpus);
      const predicate = compileFilter(filter);
      for (const text of ['cat', 'dog garden', 'the sun markets walks']) {
        const all = await r.search({ text, k: 100 });
        const expected = all.filter((h) => predicate(h.metadata));
        expect(await r.search({ text, k: 100, filter })).toEqual(expected);
        expect(await r.search({ text, k: 2, filter })).toEqual(expected.slice(0, 2));
      }
      expect(await r.count(filter)).toBe(corpus.filter((c) => predicate(c.metadata)).length);
    },
  );

  it('returns everything that matches when k exceeds the count, and nothing from an empty index', async () => {
    const r = createBm25Retriever();
    expect(await r.search({ text: 'cat', k: 10 })).toEqual([]);
    expect(await r.count()).toBe(0);
    await r.upsert(corpus);
    expect(await r.search({ text: 'cat', k: 1000 })).toHaveLength(5);
    // Only stop words, or words nobody used: no hits rather than arbitrary ones.
    expect(await r.search({ text: 'the and of', k: 10 })).toEqual([]);
    expect(await r.search({ text: 'zebra', k: 10 })).toEqual([]);
    expect(await r.search({ text: '', k: 10 })).toEqual([]);
  });

  it('orders equal scores by id ascending and picks the same top k as a full sort', async () => {
    const r = createBm25Retriever();
    const ids = ['m', 'b', 'z', 'a', 'q', 'c', 'k'];
    await r.upsert(ids.map((id) => ({ id, text: 'same words here' })));
    expect((await r.search({ text: 'words', k: 4 })).map((h) => h.id)).toEqual(['a', 'b', 'c', 'k']);

    // Random texts over a tiny vocabulary: many ties and near-ties.
    let seed = 7;
    const random = () => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed / 0x7fffffff;
    };
    const vocabulary = ['alpha', 'beta', 'gamma', 'delta', 'omega'];
    const records = Array.from({ length: 300 }, (_, i) => ({
      id: `doc-${(i * 7919) % 1000}`,
      text: Array.from(
        { length: 1 + Math.floor(random() * 6) },
        () => vocabulary[Math.floor(random() * 5)],
      ).join(' '),
    }));
    const many = createBm25Retriever();
    await many.upsert(records);
    for (const text of ['alpha', 'beta gamma', 'omega delta alpha']) {
      const all = await many.search({ text, k: 1000 });
      expect([...all].sort(compareHits)).toEqual(all);
      for (const k of [1, 5, 17, 100]) expect(await many.search({ text, k })).toEqual(all.slice(0, k));
    }
  });

  it('scans every record in pages', async () => {
    const r = createBm25Retriever();
    await r.upsert(corpus);
    await r.delete({ ids: ['d3'] });
    const pages: RetrieverRecord[][] = [];
    for await (const page of r.scan({ batchSize: 4 })) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([4, 2]);
    expect(pages.flat().map((p) => p.id)).toEqual(['d1', 'd2', 'd4', 'd5', 'd6', 'd7']);
    expect(pages.flat()[0]).toEqual({ id: 'd1', text: corpus[0]!.text, metadata: corpus[0]!.metadata });
  });

  it('keeps its own copy of metadata', async () => {
    const r = createBm25Retriever();
    const metadata: Record<string, string> = { lang: 'en' };
    await r.upsert([{ id: 'x', text: 'hello world', metadata }]);
    metadata.lang = 'changed';
    expect((await r.search({ text: 'hello', k: 1 }))[0]!.metadata).toEqual({ lang: 'en' });
  });

  it('rejects bad input with typed errors naming the problem', async () => {
    const r = createBm25Retriever();
    await expectRagloomError(
      () => r.search({ text: 'cat', k: 0 }),
      'INVALID_ARGUMENT',
      'r.search({ text: "cat", k: 0 })',
    );
    await expectRagloomError(
      () => r.search({ text: 'cat', k: 2.5 }),
      'INVALID_ARGUMENT',
      'r.search({ text: "cat", k: 2.5 })',
    );
    const noText = await expectRagloomError(
      () => r.search({ vector: [1, 2], k: 1 }),
      'INVALID_ARGUMENT',
      'r.search({ vector: [1, 2], k: 1 })',
    );
    expect(noText.message).toMatch(/query `text`/);
    await expectRagloomError(
      () => r.search({ text: 'cat', k: 1, filter: { year: { $gt: 'soon' } } }),
      'INVALID_FILTER',
      'r.search({ text: "cat", k: 1, filter: { year: { $gt: "soon" } } })',
    );
    await expectRagloomError(
      () => r.search({ text: 'the', k: 1, filter: { $foo: 1 } as unknown as Filter }),
      'INVALID_FILTER',
      'r.search({ text: "the", k: 1, filter: { $foo: 1 } as unknown as Fil...',
    );
    await expectRagloomError(
      () => r.upsert([{ id: '', text: 'x' }]),
      'INVALID_ARGUMENT',
      'r.upsert([{ id: "", text: "x" }])',
    );
    await expectRagloomError(
      () => r.upsert([{ id: 'a', text: 42 as unknown as string }]),
      'INVALID_ARGUMENT',
      'r.upsert([{ id: "a", text: 42 as unknown as string }])',
    );
    await expectRagloomError(
      () => r.upsert([{ id: 'a', text: 'x', metadata: { nested: { a: 1 } as unknown as string } }]),
      'INVALID_ARGUMENT',
      'r.upsert([{ id: "a", text: "x", metadata: { nested: { a: 1 } as unk...',
    );
    await expectRagloomError(
      () => r.upsert('nope' as unknown as RetrieverRecord[]),
      'INVALID_ARGUMENT',
      'r.upsert("nope" as unknown as RetrieverRecord[])',
    );
    await expectRagloomError(
      () => createBm25Retriever({ analyzer: { id: '', analyze: () => [] } }),
      'INVALID_ARGUMENT',
      'a custom analyzer with an empty id',
    );
    expect(await r.count()).toBe(0);
  });

  it('reports a custom analyzer that returns something other than strings as PLUGIN_ERROR', async () => {
    const broken: Analyzer = { id: 'broken', analyze: () => [1, 2] as unknown as string[] };
    const r = createBm25Retriever({ analyzer: broken });
    const error = await expectRagloomError(
      () => r.upsert([{ id: 'a', text: 'x' }]),
      'PLUGIN_ERROR',
      'r.upsert([{ id: "a", text: "x" }])',
    );
    expect(error.message).toMatch(/analyzer "broken" returned a number/);
  });

  it('honours abort before and during a large upsert, applying nothing', async () => {
    const r = createBm25Retriever();
    await expectRagloomError(
      () => r.upsert(corpus, { signal: AbortSignal.abort() }),
      'ABORTED',
      'r.upsert(corpus, { signal: AbortSignal.abort() })',
    );
    await expectRagloomError(
      () => r.search({ text: 'cat', k: 1, signal: AbortSignal.abort() }),
      'ABORTED',
      'r.search({ text: "cat", k: 1, signal: AbortSignal.abort() })',
    );
    const controller = new AbortController();
    const big = Array.from({ length: 40_000 }, (_, i) => ({
      id: `r${i}`,
      text: `record ${i} about cats dogs gardens and stock markets in year ${2000 + (i % 25)}`,
    }));
    const events: ProgressEvent[] = [];
    const upsert = r.upsert(big, {
      signal: controller.signal,
      onProgress: (event) => {
        events.push(event);
        controller.abort();
      },
    });
    await expectRagloomError(() => upsert, 'ABORTED', 'upsert');
    expect(events.length).toBeGreaterThan(0);
    expect(await r.count()).toBe(0);
  });

  it('reports progress while analysing, then once indexed', async () => {
    const r = createBm25Retriever();
    const events: ProgressEvent[] = [];
    const records = Array.from({ length: 20_000 }, (_, i) => ({
      id: `r${i}`,
      text: `text number ${i} of many words`,
    }));
    await r.upsert(records, { onProgress: (e) => events.push(e) });
    const analyze = events.filter((e) => e.phase === 'analyze');
    expect(analyze.at(-1)).toEqual({ phase: 'analyze', completed: 20_000, total: 20_000 });
    for (let i = 1; i < analyze.length; i++)
      expect(analyze[i]!.completed).toBeGreaterThan(analyze[i - 1]!.completed);
    expect(events.at(-1)).toEqual({ phase: 'index', completed: 20_000, total: 20_000 });
    expect(await r.count()).toBe(20_000);
  });

  it('compacts after many deletes and scores exactly as an index built without them', async () => {
    const records = Array.from({ length: 4000 }, (_, i) => ({
      id: `r${i}`,
      text: `word${i % 13} word${i % 7} shared ${i % 2 ? 'odd' : 'even'}`,
      metadata: { i },
    }));
    const r = createBm25Retriever();
    await r.upsert(records);
    expect(await r.delete({ filter: { i: { $lt: 2500 } } })).toEqual({ deleted: 2500 });
    expect(r.stats()).toMatchObject({ documents: 1500, deleted: 0 });
    await r.delete({ ids: ['r2500'] });
    expect(r.stats().deleted).toBe(1);
    const fresh = createBm25Retriever();
    await fresh.upsert(records.slice(2501));
    for (const text of ['word3 odd', 'shared', 'word12 word6 even']) {
      expect(await r.search({ text, k: 20 })).toEqual(await fresh.search({ text, k: 20 }));
    }
    expect(r.stats().terms).toBe(fresh.stats().terms);
  });

  it('statistics() is the deprecated name of stats() and reports the same counts', async () => {
    const r = createBm25Retriever();
    await r.upsert([
      { id: 'a', text: 'one two' },
      { id: 'b', text: 'two three' },
    ]);
    await r.delete({ ids: ['b'] });
    expect(r.stats()).toMatchObject({ documents: 1, deleted: 1 });
    expect(r.statistics()).toEqual(r.stats());
  });
});
