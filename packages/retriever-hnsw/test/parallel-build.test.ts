// Parallel builds run on worker threads, which load the compiled package: these tests use dist/
// (built before tests run, as `npm test` and turbo do).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { RetrieverRecord } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import type { HnswRetriever } from '../src/index.js';
import { clusteredSet, expectCode, recallAtK, referenceIndex } from './helpers.js';

const dist = join(import.meta.dirname, '..', 'dist');
const built = existsSync(join(dist, 'hnsw-build-worker.js'));
// The API typed by the sources (so typechecking needs no build), run from dist/ when it is there.
const { createHnswRetriever, hnswRetrieverFromBytes }: typeof import('../src/index.js') = built
  ? await import(pathToFileURL(join(dist, 'index.js')).href)
  : await import('../src/index.js');
const DIM = 32;
const N = 3000;
const { records, queries } = clusteredSet(N, 60, DIM, 51);
const settings = {
  encoderModelId: 'test/encoder',
  dimension: DIM,
  metric: 'cosine' as const,
  fullScanThreshold: 0,
};
// A narrow beam keeps recall below 1, so a worse graph would show.
const narrow = { ef: 12 };

describe.skipIf(!built)('parallel build on worker threads (from dist/)', () => {
  it('two builder threads reach the recall of one, and report progress in order', async () => {
    const reference = await referenceIndex(records, DIM, 'cosine');
    const single = createHnswRetriever({ ...settings, buildThreads: 1 });
    await single.upsert(records);
    expect(single.stats().linkedInParallel).toBe(0);
    const parallel = createHnswRetriever({ ...settings, buildThreads: 2 });
    const seen: number[] = [];
    await parallel.upsert(records, { onProgress: (e) => seen.push(e.completed) });
    expect(parallel.stats()).toMatchObject({ count: N, parallelBuild: true });
    // All but the first record (the entry point of the empty graph) were linked by the builders.
    expect(parallel.stats().linkedInParallel).toBe(N - 1);
    expect(seen.at(-1)).toBe(N);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    const recallSingle = await recallAtK(single, reference, queries, 10, undefined, narrow);
    const recallParallel = await recallAtK(parallel, reference, queries, 10, undefined, narrow);
    expect(recallSingle).toBeGreaterThan(0.8);
    expect(Math.abs(recallParallel - recallSingle)).toBeLessThanOrEqual(0.01);
    // The graph is structurally sound: a reload verifies every link, level and the entry point.
    const reloaded = hnswRetrieverFromBytes(parallel.toBytes(), { fullScanThreshold: 0 });
    expect(await reloaded.search({ vector: queries[0]!, k: 10, ...narrow })).toEqual(
      await parallel.search({ vector: queries[0]!, k: 10, ...narrow }),
    );
    // A second parallel batch into a non-empty index, replacing a third of the vectors.
    const replaced: RetrieverRecord[] = records
      .filter((_, i) => i % 3 === 0)
      .map((r) => ({ ...r, vector: queries[0]!.map((x, j) => x + (r.vector![j] as number) * 0.1) }));
    const added = clusteredSet(1200, 0, DIM, 52).records.map((r) => ({ ...r, id: `more-${r.id}` }));
    await parallel.upsert([...replaced, ...added]);
    expect(await parallel.count()).toBe(N + 1200);
    expect(parallel.stats().linkedInParallel).toBe(N - 1 + replaced.length + added.length);
    const all = [...records.filter((_, i) => i % 3 !== 0), ...replaced, ...added];
    const after = await referenceIndex(all, DIM, 'cosine');
    expect(await recallAtK(parallel, after, queries, 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('searches during a parallel upsert see each record before or after it, never torn', async () => {
    const index = createHnswRetriever({ ...settings, buildThreads: 2, compactionThreshold: 1 });
    const base = records;
    await index.upsert(base);
    // Every record moves to a new vector whose nearest record is itself; its text says which version.
    const moved = base.map((r) => ({
      ...r,
      text: `v2 ${r.id}`,
      vector: (r.vector as number[]).map((x) => -x),
    }));
    let done = false;
    const upsert = index.upsert(moved).finally(() => {
      done = true;
    });
    let checks = 0;
    while (!done) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      const probe = moved[(checks * 37) % moved.length]!;
      const [hit] = await index.search({ vector: probe.vector, k: 1 });
      // The record is there (old or new), exactly once, with a consistent text and vector.
      expect(await index.count()).toBe(base.length);
      if (hit?.id === probe.id) expect(hit.text === `v2 ${probe.id}` || hit.text === probe.text).toBe(true);
      checks++;
    }
    await upsert;
    expect(checks).toBeGreaterThan(0);
    const [hit] = await index.search({ vector: moved[5]!.vector, k: 1 });
    expect(hit).toMatchObject({ id: moved[5]!.id, text: moved[5]!.text });
  });

  it('concurrent upserts and deletes (parallel batches) end as the same calls made one at a time', async () => {
    const renamed = records.slice(0, 1200).map((r) => ({ ...r, text: `v2 ${r.id}` }));
    const calls = (index: HnswRetriever) => [
      () => index.upsert(records.slice(0, 1500)),
      () => index.upsert(records.slice(1500)),
      () => index.delete({ filter: { bucket: 3 } }),
      () => index.upsert(renamed),
      () => index.delete({ ids: records.slice(2000, 2100).map((r) => r.id) }),
    ];
    const together = createHnswRetriever({ ...settings, buildThreads: 2 });
    const oneByOne = createHnswRetriever({ ...settings, buildThreads: 2 });
    const answers = await Promise.all(calls(together).map((call) => call()));
    const expected: unknown[] = [];
    for (const call of calls(oneByOne)) expected.push(await call());
    expect(answers).toEqual(expected);
    expect(together.stats().linkedInParallel).toBeGreaterThan(0);
    const contents = async (index: HnswRetriever) => {
      const stored: RetrieverRecord[] = [];
      for await (const page of index.scan({ batchSize: 1000 })) stored.push(...page);
      return stored.sort((a, b) => (a.id < b.id ? -1 : 1));
    };
    const stored = await contents(together);
    expect(stored).toEqual(await contents(oneByOne));
    // The builders' graphs differ run to run; exact answers and recall must not.
    const reference = await referenceIndex(stored, DIM, 'cosine');
    for (const vector of queries.slice(0, 10)) {
      expect(await together.search({ vector, k: 10, exact: true })).toEqual(
        await oneByOne.search({ vector, k: 10, exact: true }),
      );
    }
    expect(await recallAtK(together, reference, queries, 10)).toBeGreaterThanOrEqual(0.95);
  });

  it('an abort stops the builders: what was linked stays, the rest is given back', async () => {
    const index: HnswRetriever = createHnswRetriever({ ...settings, buildThreads: 2 });
    const controller = new AbortController();
    let reported = 0;
    await expectCode(
      index.upsert(records, {
        signal: controller.signal,
        onProgress: (e) => {
          reported = e.completed;
          if (e.completed > 300) controller.abort();
        },
      }),
      'ABORTED',
    );
    const count = await index.count();
    expect(count).toBeGreaterThan(300);
    expect(count).toBeLessThan(N);
    expect(count).toBeGreaterThanOrEqual(reported);
    expect(index.stats().tombstones).toBe(0);
    // The slots given back leave a sound graph (a reload checks it), and inserting continues from there.
    const reloaded = hnswRetrieverFromBytes(index.toBytes(), { fullScanThreshold: 0 });
    expect(await reloaded.count()).toBe(count);
    const rest = records.slice(0, 2000);
    await index.upsert(rest);
    expect(await index.count()).toBe(Math.max(count, 2000));
    const stored = [];
    for await (const page of index.scan({ batchSize: 5000 })) stored.push(...page);
    const reference = await referenceIndex(stored, DIM, 'cosine');
    expect(await recallAtK(index, reference, queries.slice(0, 30), 10)).toBeGreaterThanOrEqual(0.95);
  });
});
