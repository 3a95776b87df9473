import { describe, expect, it } from 'vitest';
import { createBm25Retriever } from '../src/index.js';

const DOCS = 3000;
const version = (label: string) =>
  Array.from({ length: DOCS }, (_, i) => ({
    id: `doc-${i}`,
    // Long enough texts that analysing the batch takes several time slices (the upsert yields between them).
    text: `${label} item ${i} ${'filler words for the analyzer to chew on '.repeat(32)}`,
    metadata: { label, bucket: i % 10 },
  }));

describe('BM25 under concurrent calls', () => {
  it('answers concurrent searches exactly as the same searches one at a time', async () => {
    const r = createBm25Retriever({ analyzer: 'english' });
    await r.upsert(version('alpha'));
    const requests = Array.from({ length: 40 }, (_, i) => ({
      text: `alpha item ${i * 7} filler`,
      k: 5 + (i % 20),
      ...(i % 3 === 0 ? { filter: { bucket: i % 10 } } : {}),
    }));
    const sequential = [];
    for (const request of requests) sequential.push(await r.search(request));
    expect(await Promise.all(requests.map((request) => r.search(request)))).toEqual(sequential);
  });

  it('searches during an upsert see every record before or after it, never a mix', async () => {
    const r = createBm25Retriever({ analyzer: 'english' });
    await r.upsert(version('alpha'));
    const observed: { alpha: number; beta: number }[] = [];
    let done = false;
    const upsert = r.upsert(version('beta')).finally(() => {
      done = true;
    });
    while (!done) {
      const [alpha, beta] = await Promise.all([
        r.search({ text: 'alpha', k: DOCS }),
        r.search({ text: 'beta', k: DOCS }),
      ]);
      observed.push({ alpha: alpha.length, beta: beta.length });
      await new Promise((resolve) => setImmediate(resolve));
    }
    await upsert;
    // The analysis yielded to the event loop, so searches ran while the upsert was under way.
    expect(observed.length).toBeGreaterThan(2);
    for (const o of observed)
      expect([o.alpha, o.beta]).toSatisfy(([a, b]) => (a === DOCS && b === 0) || (a === 0 && b === DOCS));
    expect(observed[0]).toEqual({ alpha: DOCS, beta: 0 });
    expect((await r.search({ text: 'beta', k: DOCS })).length).toBe(DOCS);
    expect(await r.count()).toBe(DOCS);
  });

  it('searches racing deletes (with a compaction) see each deletion whole', async () => {
    const r = createBm25Retriever({ analyzer: 'english' });
    await r.upsert(version('alpha'));
    // A search before each delete, all in flight together.
    const calls = Array.from({ length: 10 }, (_, bucket) => [
      r.search({ text: 'alpha', k: DOCS }).then((hits) => hits.length),
      r.delete({ filter: { bucket } }).then(() => -1),
    ]).flat();
    const counts = (await Promise.all(calls)).filter((n) => n >= 0);
    // Each delete removes a whole bucket (300 records): a search sees a multiple of that, never less
    // than a later search does.
    expect(counts[0]).toBe(DOCS);
    for (const [i, count] of counts.entries()) {
      expect(count % (DOCS / 10)).toBe(0);
      if (i > 0) expect(count).toBeLessThanOrEqual(counts[i - 1]!);
    }
    expect(await r.count()).toBe(0);
    expect(r.stats().documents).toBe(0);
  });
});
