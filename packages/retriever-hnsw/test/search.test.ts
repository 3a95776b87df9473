import { type Filter, type Metric, type SearchHit, similarity } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { createHnswRetriever, type HnswRetriever } from '../src/index.js';
import { clusteredSet, expectCode, recallAtK, referenceIndex } from './helpers.js';

const DIM = 32;
const { records, queries } = clusteredSet(5000, 60, DIM, 31);
const base = { encoderModelId: 'test/encoder', dimension: DIM };

// The index stores float32: score against the float32 values, as core's reference retrievers do.
const vectorOf = new Map(records.map((r) => [r.id, Float32Array.from(r.vector as number[])]));

/**
 * Same ids in the same order as the reference, and scores bit-identical to core's similarity()
 * (core's memory retriever computes cosine as dot·(1/‖q‖)·(1/‖v‖), which can differ in the last bit).
 */
function expectExact(actual: SearchHit[], expected: SearchHit[], query: number[], metric: Metric) {
  expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
  const q = Float32Array.from(query);
  for (const hit of actual) expect(hit.score).toBe(similarity(metric, q, vectorOf.get(hit.id)!));
}

describe('graph search quality against exact search (core reference retriever)', () => {
  for (const metric of ['cosine', 'dot', 'l2'] as Metric[]) {
    it(`${metric}: recall@10 ≥ 0.97 with the default ef, graph walk only`, async () => {
      const index = createHnswRetriever({ ...base, metric, exactSearchThreshold: 0 });
      await index.upsert(records);
      const reference = await referenceIndex(records, DIM, metric);
      expect(await recallAtK(index, reference, queries, 10)).toBeGreaterThanOrEqual(0.97);
    });
  }

  it('the pure-JS kernel builds a graph of the same quality (recall within 0.01 of wasm)', async () => {
    const reference = await referenceIndex(records, DIM, 'l2');
    const recall: number[] = [];
    for (const kernel of ['wasm', 'js'] as const) {
      const index = createHnswRetriever({ ...base, metric: 'l2', kernel, exactSearchThreshold: 0 });
      await index.upsert(records);
      expect(index.stats().kernel).toBe(kernel === 'wasm' ? 'wasm-simd' : 'js');
      recall.push(await recallAtK(index, reference, queries, 10, undefined, { ef: 12 }));
    }
    expect(Math.abs(recall[0]! - recall[1]!)).toBeLessThanOrEqual(0.01);
  });

  it('a wider beam (ef) never lowers recall, and the same seed builds the same graph', async () => {
    const a = createHnswRetriever({ ...base, metric: 'cosine', exactSearchThreshold: 0, seed: 7 });
    const b = createHnswRetriever({ ...base, metric: 'cosine', exactSearchThreshold: 0, seed: 7 });
    await a.upsert(records);
    await b.upsert(records);
    const reference = await referenceIndex(records, DIM, 'cosine');
    let previous = 0;
    for (const ef of [10, 20, 40, 80]) {
      const recall = await recallAtK(a, reference, queries, 10, undefined, { ef });
      expect(recall).toBeGreaterThanOrEqual(previous - 0.005);
      previous = recall;
    }
    for (const vector of queries.slice(0, 10)) {
      expect(await b.search({ vector, k: 10, ef: 10 })).toEqual(await a.search({ vector, k: 10, ef: 10 }));
    }
  });
});

describe('filtered search', () => {
  let index: HnswRetriever;
  const getIndex = async () => {
    if (!index) {
      index = createHnswRetriever({ ...base, metric: 'cosine' });
      await index.upsert(records);
    }
    return index;
  };

  it('a very selective filter is answered exactly (hits and scores equal the brute-force scan)', async () => {
    const hnsw = await getIndex();
    const reference = await referenceIndex(records, DIM, 'cosine');
    for (const filter of [
      { rare: true },
      { bucket: 3 },
      { $and: [{ bucket: { $in: [1, 2] } }, { cluster: { $lt: 4 } }] },
    ]) {
      for (const vector of queries.slice(0, 20)) {
        const expected = await reference.search({ vector, k: 10, filter });
        expectExact(await hnsw.search({ vector, k: 10, filter }), expected, vector, 'cosine');
      }
    }
  });

  it('a broad filter walks the graph, evaluating the filter on the way: every hit matches, recall stays high', async () => {
    const hnsw = await getIndex();
    const reference = await referenceIndex(records, DIM, 'cosine');
    const filter: Filter = { bucket: { $in: [0, 1, 2, 3, 4] } };
    for (const vector of queries.slice(0, 20)) {
      for (const hit of await hnsw.search({ vector, k: 10, filter }))
        expect(hit.metadata.bucket as number).toBeLessThan(5);
    }
    expect(await recallAtK(hnsw, reference, queries, 10, filter)).toBeGreaterThanOrEqual(0.97);
  });

  it('the graph walk alone also honours a selective filter (exact shortcut off)', async () => {
    const hnsw = createHnswRetriever({ ...base, metric: 'cosine', exactSearchThreshold: 0 });
    await hnsw.upsert(records);
    const reference = await referenceIndex(records, DIM, 'cosine');
    const filter: Filter = { rare: true };
    for (const vector of queries.slice(0, 10)) {
      for (const hit of await hnsw.search({ vector, k: 10, filter })) expect(hit.metadata.rare).toBe(true);
    }
    expect(await recallAtK(hnsw, reference, queries.slice(0, 20), 10, filter)).toBeGreaterThanOrEqual(0.95);
    // Fewer matches than k: every match comes back, in exact order.
    const few: Filter = { $and: [{ rare: true }, { bucket: 0 }] };
    const expected = await reference.search({ vector: queries[0]!, k: 50, filter: few });
    expect(expected.length).toBeGreaterThan(0);
    expectExact(
      await hnsw.search({ vector: queries[0]!, k: 50, filter: few }),
      expected,
      queries[0]!,
      'cosine',
    );
  });

  it('count, delete and search agree on what a filter selects', async () => {
    const hnsw = createHnswRetriever({ ...base, metric: 'l2' });
    await hnsw.upsert(records.slice(0, 1000));
    const filter: Filter = { $or: [{ rare: true }, { bucket: 9 }] };
    const matching = await hnsw.count(filter);
    expect(matching).toBe(
      records.slice(0, 1000).filter((r) => r.metadata!.rare || r.metadata!.bucket === 9).length,
    );
    expect((await hnsw.search({ vector: queries[0]!, k: 2000, filter })).length).toBe(matching);
    expect((await hnsw.delete({ filter })).deleted).toBe(matching);
    expect(await hnsw.count(filter)).toBe(0);
    expect(await hnsw.count()).toBe(1000 - matching);
  });
});

describe('records and requests', () => {
  it('upsert with the same vector only updates text and metadata; a new vector replaces the node', async () => {
    const index = createHnswRetriever({ ...base, metric: 'cosine', compactionThreshold: 1 });
    await index.upsert(records.slice(0, 200));
    const target = records[17]!;
    await index.upsert([{ ...target, text: 'changed', metadata: { tag: 'new' } }]);
    expect(index.stats().tombstones).toBe(0);
    const [hit] = await index.search({ vector: target.vector!, k: 1 });
    expect(hit).toMatchObject({ id: target.id, text: 'changed', metadata: { tag: 'new' } });
    await index.upsert([{ ...target, vector: queries[0]! }]);
    expect(index.stats()).toMatchObject({ count: 200, tombstones: 1 });
    expect((await index.search({ vector: queries[0]!, k: 1 }))[0]!.id).toBe(target.id);
  });

  it('within one batch the last record with an id wins', async () => {
    const index = createHnswRetriever({ ...base, metric: 'l2' });
    const [a, b] = records;
    await index.upsert([a!, { ...a!, text: 'second', vector: b!.vector }]);
    expect(await index.count()).toBe(1);
    expect(await index.search({ vector: b!.vector!, k: 5 })).toEqual([
      { id: a!.id, text: 'second', score: -0, metadata: a!.metadata },
    ]);
  });

  it('stored metadata is a frozen copy: callers cannot change the index by mutating objects', async () => {
    const index = createHnswRetriever({ ...base, metric: 'l2' });
    const metadata = { tags: ['a'], n: 1 };
    await index.upsert([{ id: 'x', text: 'x', metadata, vector: records[0]!.vector }]);
    metadata.tags.push('b');
    metadata.n = 2;
    const [hit] = await index.search({ vector: records[0]!.vector!, k: 1 });
    expect(hit!.metadata).toEqual({ tags: ['a'], n: 1 });
    expect(Object.isFrozen(hit!.metadata)).toBe(true);
  });

  it('reports insert progress, yields to other work, and stops on abort', async () => {
    const index = createHnswRetriever({ ...base, metric: 'cosine' });
    const controller = new AbortController();
    const seen: number[] = [];
    let searchesDuringUpsert = 0;
    const upsert = index.upsert(records, {
      signal: controller.signal,
      onProgress: (e) => {
        expect(e.phase).toBe('insert');
        expect(e.total).toBe(records.length);
        seen.push(e.completed);
        if (seen.length === 2) controller.abort();
      },
    });
    // Searches run between insert steps and see a consistent index.
    const searching = (async () => {
      while (seen.length < 2) {
        await new Promise((resolve) => setImmediate(resolve));
        const hits = await index.search({ vector: queries[0]!, k: 3 });
        expect(hits.length).toBeLessThanOrEqual(3);
        searchesDuringUpsert++;
      }
    })();
    await expectCode(() => upsert, 'ABORTED');
    await searching;
    expect(searchesDuringUpsert).toBeGreaterThan(0);
    expect(seen[1]!).toBeGreaterThan(seen[0]!);
    const count = await index.count();
    expect(count).toBeGreaterThanOrEqual(seen[1]!);
    expect(count).toBeLessThan(records.length);
    // What was inserted before the abort is indexed and searchable.
    const reference = await referenceIndex(records.slice(0, count), DIM, 'cosine');
    expect(await recallAtK(index, reference, queries.slice(0, 10), 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('rejects bad options and requests with typed errors', async () => {
    for (const bad of [
      { ...base, dimension: 0 },
      { ...base, M: 1 },
      { ...base, M: 100_000 },
      { ...base, efConstruction: 0 },
      { ...base, metric: 'manhattan' as Metric },
      { ...base, kernel: 'gpu' as 'js' },
      { ...base, compactionThreshold: 0 },
      { ...base, ef: 2.5 },
    ]) {
      await expectCode(() => createHnswRetriever(bad), 'INVALID_ARGUMENT');
    }
    const index = createHnswRetriever({ ...base, metric: 'cosine' });
    await index.upsert(records.slice(0, 20));
    await expectCode(() => index.search({ vector: queries[0]!, k: 3, ef: 0 }), 'INVALID_ARGUMENT');
    const huge = Array.from({ length: DIM }, () => 1e30);
    const error = await expectCode(
      () => index.upsert([{ id: 'h', text: '', vector: huge }]),
      'INVALID_ARGUMENT',
    );
    expect(error.message).toContain('id "h"');
    await expectCode(() => index.search({ vector: huge, k: 1 }), 'INVALID_ARGUMENT');
    await expectCode(() => index.delete({} as never), 'INVALID_ARGUMENT');
    await expectCode(() => index.delete({ ids: 'r1' } as never), 'INVALID_ARGUMENT');
    expect(index.save, 'an index without a path has no save()').toBeUndefined();
    await index.close();
    await expectCode(() => index.search({ vector: queries[0]!, k: 3 }), 'INVALID_ARGUMENT');
  });
});
