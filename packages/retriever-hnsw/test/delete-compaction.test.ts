import { describe, expect, it } from 'vitest';
import { createHnswRetriever, hnswRetrieverFromBytes } from '../src/index.js';
import { buildOnce, clusteredSet, recallAtK, referenceIndex, seededRandom } from './helpers.js';

const DIM = 32;
const N = 4000;
const { records, queries } = clusteredSet(N, 150, DIM, 21);
// A narrow beam (ef = k = 10) keeps recall below 1, so a damaged graph would show.
const settings = {
  encoderModelId: 'test/encoder',
  dimension: DIM,
  metric: 'cosine' as const,
  fullScanThreshold: 0,
};
const search = { ef: 10 };
/** Each test gets its own copy of one index of every record (built once). */
const fullIndex = buildOnce(settings, records);

async function freshRecall(rest: typeof records) {
  const fresh = createHnswRetriever(settings);
  await fresh.upsert(rest);
  return recallAtK(fresh, await referenceIndex(rest, DIM, 'cosine'), queries, 10, undefined, search);
}

describe('delete and compaction', () => {
  it('deleting 30% by filter: recall within 0.02 of a fresh index on the rest', async () => {
    const index = await fullIndex();
    const phases: string[] = [];
    const { deleted } = await index.delete(
      { filter: { bucket: { $in: [0, 1, 2] } } },
      { onProgress: (e) => phases.push(e.phase) },
    );
    expect(deleted).toBe(N * 0.3);
    // Past the compaction threshold: links repaired, tombstones dropped.
    expect(index.stats()).toMatchObject({ count: N * 0.7, tombstones: 0 });
    expect(phases).toContain('repair');
    expect(phases).toContain('compact');
    const rest = records.filter((r) => (r.metadata!.bucket as number) > 2);
    const afterDelete = await recallAtK(
      index,
      await referenceIndex(rest, DIM, 'cosine'),
      queries,
      10,
      undefined,
      search,
    );
    const fresh = await freshRecall(rest);
    expect(afterDelete).toBeGreaterThanOrEqual(fresh - 0.02);
    // The compacted graph is structurally sound (loading verifies every link and the entry point).
    const reloaded = hnswRetrieverFromBytes(index.toBytes(), { fullScanThreshold: 0 });
    expect(await reloaded.search({ vector: queries[0]!, k: 10, ...search })).toEqual(
      await index.search({ vector: queries[0]!, k: 10, ...search }),
    );
  });

  it('deleting 30% by ids in small batches (tombstones accumulate, then compaction) keeps recall', async () => {
    const index = await fullIndex();
    const random = seededRandom(23);
    const doomed = records.filter(() => random() < 0.3).map((r) => r.id);
    const gone = new Set(doomed);
    let tombstonesSeen = 0;
    for (let i = 0; i < doomed.length; i += 50) {
      await index.delete({ ids: doomed.slice(i, i + 50) });
      tombstonesSeen = Math.max(tombstonesSeen, index.stats().tombstones);
    }
    expect(tombstonesSeen, 'small deletes are tombstones first').toBeGreaterThan(0);
    await index.compact();
    expect(index.stats()).toMatchObject({ count: N - doomed.length, tombstones: 0 });
    const rest = records.filter((r) => !gone.has(r.id));
    const hits = await index.search({ vector: queries[1]!, k: 50 });
    for (const h of hits) expect(gone.has(h.id), `${h.id} was deleted`).toBe(false);
    const afterDelete = await recallAtK(
      index,
      await referenceIndex(rest, DIM, 'cosine'),
      queries,
      10,
      undefined,
      search,
    );
    expect(afterDelete).toBeGreaterThanOrEqual((await freshRecall(rest)) - 0.02);
  });

  it('churn: replacing vectors many times over stays searchable and exact where it must be', async () => {
    const index = createHnswRetriever({ ...settings, compactionThreshold: 0.2 });
    const base = records.slice(0, 1500);
    await index.upsert(base);
    const random = seededRandom(24);
    let current = base;
    for (let round = 0; round < 4; round++) {
      current = current.map((r) =>
        random() < 0.3 ? { ...r, vector: r.vector!.map((x) => (x as number) + (random() - 0.5)) } : r,
      );
      await index.upsert(current);
    }
    expect(await index.count()).toBe(base.length);
    const reference = await referenceIndex(current, DIM, 'cosine');
    expect(await recallAtK(index, reference, queries.slice(0, 50), 10)).toBeGreaterThanOrEqual(0.95);
    // Every id once, with its latest vector.
    const seen = new Map<string, number[]>();
    for await (const page of index.scan({ batchSize: 256 })) {
      for (const r of page) {
        expect(seen.has(r.id)).toBe(false);
        seen.set(r.id, Array.from(r.vector!));
      }
    }
    expect(seen.size).toBe(base.length);
    for (const r of current.slice(0, 100)) {
      expect(seen.get(r.id)).toEqual(Array.from(Float32Array.from(r.vector as number[])));
    }
  });

  it('searches running during a compaction see every live record, and never a deleted one', async () => {
    const index = await fullIndex({ compactionThreshold: 1 });
    const random = seededRandom(25);
    const doomed = new Set(records.filter(() => random() < 0.4).map((r) => r.id));
    await index.delete({ ids: [...doomed] });
    const live = records.filter((r) => !doomed.has(r.id));
    let probes = 0;
    /** Starts a search and a count now (both run synchronously up to their answer); checks them when awaited. */
    const probe = (when: string) => {
      const record = live[(probes++ * 53) % live.length]!;
      const hits = index.search({ vector: record.vector!, k: 5 });
      const count = index.count();
      return (async () => {
        const found = await hits;
        expect(found[0]?.id, `${when}: nearest to ${record.id}`).toBe(record.id);
        for (const h of found) expect(doomed.has(h.id), `${when}: ${h.id} was deleted`).toBe(false);
        expect(await count, `${when}: count`).toBe(live.length);
      })();
    };
    // Progress reports come between repair chunks and once after the last one, before the
    // renumbering: a search started there runs inside the compaction, whatever the machine's speed.
    const inside: Promise<void>[] = [];
    let done = false;
    const compaction = index
      .compact({
        onProgress: ({ phase, completed, total }) => {
          if (phase === 'repair') inside.push(probe(`inside the compaction (repair ${completed}/${total})`));
        },
      })
      .finally(() => {
        done = true;
      });
    // And from outside: a search on every turn of the event loop until the compaction ends.
    let outside = 0;
    while (!done || outside === 0) {
      await probe(`beside the compaction (turn ${outside})`);
      outside++;
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect((await compaction).removed).toBe(doomed.size);
    await Promise.all(inside);
    expect(inside.length, 'searches started inside the compaction').toBeGreaterThan(0);
  });

  it('deleting everything leaves an empty index that accepts new records', async () => {
    const index = createHnswRetriever(settings);
    await index.upsert(records.slice(0, 300));
    expect((await index.delete({ filter: {} })).deleted).toBe(300);
    expect(index.stats()).toMatchObject({ count: 0, tombstones: 0, maxLevel: -1 });
    expect(await index.search({ vector: queries[0]!, k: 5 })).toEqual([]);
    await index.upsert(records.slice(300, 600));
    const reference = await referenceIndex(records.slice(300, 600), DIM, 'cosine');
    expect(await recallAtK(index, reference, queries.slice(0, 30), 10)).toBeGreaterThanOrEqual(0.95);
  });
});
