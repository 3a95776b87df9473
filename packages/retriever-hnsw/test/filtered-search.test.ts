import { createMemoryVectorRetriever, type Filter, type RetrieverRecord, similarity } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { createHnswRetriever } from '../src/index.js';
import { buildOnce, clusteredSet, recallAtK, referenceIndex, seededRandom } from './helpers.js';

const DIM = 24;
const N = 10_000;
const base = clusteredSet(N, 30, DIM, 71);
// `sel` takes 1000 values uniformly, independent of the vectors, so `sel < x` selects x / 1000.
const records: RetrieverRecord[] = base.records.map((r, i) => ({
  ...r,
  metadata: { ...r.metadata, sel: (i * 7919) % 1000 },
}));
const { queries } = base;
const settings = {
  encoderModelId: 'test/encoder',
  dimension: DIM,
  metric: 'cosine' as const,
  buildThreads: 1,
};
// A low size threshold, so that the choice between walk and scan is the cost model's.
const everyRecord = buildOnce({ ...settings, fullScanThreshold: 64 * 1024 }, records);

describe('filtered search at selectivities 50%, 10%, 1% and 0.1%', () => {
  it('equals the exact filtered top-k (recall ≥ 0.95, exact scores), choosing a scan when matches are few', async () => {
    const index = await everyRecord();
    const reference = await referenceIndex(records, DIM, 'cosine');
    const paths: Record<string, unknown> = {};
    for (const [selectivity, filter] of [
      ['50%', { sel: { $lt: 500 } }],
      ['10%', { sel: { $lt: 100 } }],
      ['1%', { sel: { $lt: 10 } }],
      ['0.1%', { sel: 7 }],
    ] as [string, Filter][]) {
      const before = index.stats().searches;
      const recall = await recallAtK(index, reference, queries, 10, filter);
      expect(recall, selectivity).toBeGreaterThanOrEqual(0.95);
      const after = index.stats().searches;
      paths[selectivity] = Object.fromEntries(
        Object.entries(after)
          .map(([path, n]) => [path, n - before[path as keyof typeof before]])
          .filter(([, n]) => (n as number) > 0),
      );
      const q = Float32Array.from(queries[0]!);
      for (const hit of await index.search({ vector: queries[0]!, k: 10, filter })) {
        expect(hit.score).toBe(
          similarity('cosine', q, Float32Array.from(records[Number(hit.id.slice(1))]!.vector as number[])),
        );
      }
    }
    // The payload index finds the matches of the selective filters, which are scanned (at this
    // size even half the index is about as cheap to scan as to walk: the walk's side of the
    // choice is tested below and in search.test.ts).
    expect(paths['10%']).toEqual({ 'filtered-scan': queries.length });
    expect(paths['1%']).toEqual({ 'filtered-scan': queries.length });
    expect(paths['0.1%']).toEqual({ 'filtered-scan': queries.length });
    expect(index.stats().indexedFields).toEqual(['sel']);
  });
});

describe('the payload index', () => {
  const special: RetrieverRecord[] = Array.from({ length: 400 }, (_, i) => ({
    id: `s${i}`,
    text: '',
    vector: Array.from({ length: 4 }, (_, j) => Math.sin(i * 3 + j)),
    metadata: {
      n: i % 13,
      tags: i % 4 === 0 ? ['a', 'b'] : i % 4 === 1 ? ['b'] : [],
      kind: i % 3 === 0 ? 'x' : 'y',
      flag: i % 2 === 0,
      // Keys that are also Object.prototype's: ordinary own fields here.
      ...(i % 5 === 0 ? { constructor: 'c', ['__proto__']: 'p' } : {}),
      ...(i % 7 === 0 ? { maybe: null } : { maybe: i }),
      when: `2024-01-${String((i % 28) + 1).padStart(2, '0')}T00:00:00Z`,
    },
  }));
  const filters: Filter[] = [
    { n: 3 },
    { n: { $in: [1, 2, 12] } },
    { n: { $gte: 4, $lt: 9 } },
    { n: { $gt: 11 } },
    { n: { $lte: 0 } },
    { tags: 'b' },
    { tags: { $in: ['a'] } },
    { tags: { $exists: true } },
    { tags: { $exists: false } },
    { kind: 'x', flag: true },
    { $or: [{ n: 1 }, { kind: 'x' }] },
    { $or: [{ n: 1 }, { kind: { $ne: 'x' } }] },
    { $and: [{ n: { $in: [1, 2, 3] } }, { $not: { flag: true } }] },
    { constructor: 'c' },
    { ['__proto__']: 'p' },
    { maybe: { $exists: true } },
    { maybe: { $gt: 100 } },
    { when: { $gte: '2024-01-20T00:00:00Z' } },
    { n: { $nin: [0, 1] } },
  ];

  it('count, search and delete select exactly what core’s reference evaluator selects, through churn', async () => {
    const index = createHnswRetriever({
      encoderModelId: 'e',
      dimension: 4,
      compactionThreshold: 1,
      buildThreads: 1,
    });
    const reference = createMemoryVectorRetriever({ encoderModelId: 'e', dimension: 4, metric: 'cosine' });
    const compare = async (round: string) => {
      for (const filter of filters) {
        const what = `${round}: ${JSON.stringify(filter)}`;
        expect(await index.count(filter), what).toBe(await reference.count(filter));
        const vector = [1, 0.5, -0.2, 0.1];
        const ours = await index.search({ vector, k: 500, filter });
        const theirs = await reference.search({ vector, k: 500, filter });
        expect(ours.map((h) => h.id).sort(), what).toEqual(theirs.map((h) => h.id).sort());
      }
    };
    await index.upsert(special);
    await reference.upsert(special);
    await compare('after upsert');
    // New metadata for the same vectors, deletes and re-inserts leave stale index entries behind.
    const random = seededRandom(72);
    const changed = special.map((r) =>
      random() < 0.4
        ? { ...r, metadata: { ...r.metadata, n: (r.metadata!.n as number) + 1, tags: ['c'] } }
        : r,
    );
    await index.upsert(changed);
    await reference.upsert(changed);
    await compare('after metadata updates');
    const doomed = { filter: { n: { $in: [2, 5] } } };
    expect((await index.delete(doomed)).deleted).toBe((await reference.delete(doomed)).deleted);
    await compare('after delete');
    await index.upsert(changed.slice(0, 50));
    await reference.upsert(changed.slice(0, 50));
    await index.compact();
    await compare('after compaction');
  });
});

describe('filtered walk with the scan off', () => {
  it('still returns only matches, and scans when the walk finds fewer than k', async () => {
    const index = await everyRecord({ fullScanThreshold: 0 });
    const reference = await referenceIndex(records, DIM, 'cosine');
    const filter: Filter = { sel: { $lt: 20 } };
    for (const hit of await index.search({ vector: queries[0]!, k: 10, filter })) {
      expect(hit.metadata.sel as number).toBeLessThan(20);
    }
    expect(await recallAtK(index, reference, queries.slice(0, 10), 10, filter)).toBeGreaterThanOrEqual(0.95);
    expect(index.stats().searches['filtered-scan']).toBe(0);
  });
});
