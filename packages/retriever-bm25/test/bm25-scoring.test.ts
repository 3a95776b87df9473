import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { type Analyzer, BM25_PRESETS, createBm25Retriever } from '../src/index.js';

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim());

describe('BM25 scores', () => {
  // An independent BM25 run over SciFact (shared assets: eval-reference/trec/scifact_bm25.run), made
  // with: lowercase, split on [^a-z0-9]+, k1 0.9, b 0.4, title + text, unique query terms, and the
  // classic (k1 + 1) numerator that Lucene 8+ drops. Our scores times (k1 + 1) must equal it.
  it('equal an independent BM25 implementation on SciFact (300 queries x top 100)', async () => {
    const corpus = lines(assetPath('data', 'scifact', 'corpus.jsonl')).map(
      (l) => JSON.parse(l) as { _id: string; title: string; text: string },
    );
    const queries = new Map(
      lines(assetPath('data', 'scifact', 'queries.jsonl')).map((l) => {
        const q = JSON.parse(l) as { _id: string; text: string };
        return [q._id, q.text] as const;
      }),
    );
    const reference = new Map<string, [string, number][]>();
    for (const line of lines(assetPath('eval-reference', 'trec', 'scifact_bm25.run'))) {
      const [queryId, , docId, , score] = line.split(' ');
      if (!reference.has(queryId!)) reference.set(queryId!, []);
      reference.get(queryId!)!.push([docId!, Number(score)]);
    }
    const split = (text: string) =>
      text
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter(Boolean);
    const analyzer: Analyzer = { id: 'ascii-split', analyze: split };
    const retriever = createBm25Retriever({ analyzer, preset: 'anserini' });
    await retriever.upsert(corpus.map((d) => ({ id: d._id, text: `${d.title} ${d.text}` })));
    expect(reference.size).toBe(300);
    let compared = 0;
    let largestDifference = 0;
    const differentTop10: string[] = [];
    for (const [queryId, expected] of reference) {
      const text = [...new Set(split(queries.get(queryId)!))].join(' ');
      const hits = await retriever.search({ text, k: 100 });
      const scores = new Map(hits.map((h) => [h.id, h.score * (0.9 + 1)]));
      for (const [docId, score] of expected) {
        // Ties at the top-100 edge may keep another equal-score document; compare what both have.
        const ours = scores.get(docId);
        if (ours === undefined) continue;
        largestDifference = Math.max(largestDifference, Math.abs(ours - score));
        compared++;
      }
      const top10 = (ids: string[]) => ids.slice(0, 10).join(' ');
      if (top10(hits.map((h) => h.id)) !== top10(expected.map(([d]) => d))) differentTop10.push(queryId);
    }
    // The run prints 6 decimals.
    expect(largestDifference).toBeLessThan(1e-6);
    expect(differentTop10).toEqual([]);
    expect(compared).toBeGreaterThan(29_900);
  });

  it('follow the formula, counting only live documents, with repeated query terms weighted', async () => {
    const analyzer: Analyzer = { id: 'split', analyze: (t) => t.split(' ').filter(Boolean) };
    const docs: Record<string, string> = {
      a: 'x y y z',
      b: 'x x x x x x x x',
      c: 'y',
      d: 'z z q',
      e: 'x q q q q',
    };
    const { k1, b } = BM25_PRESETS.lucene;
    const retriever = createBm25Retriever({ analyzer, preset: 'lucene' });
    await retriever.upsert(Object.entries(docs).map(([id, text]) => ({ id, text })));
    await retriever.upsert([{ id: 'gone', text: 'x x y q' }]);
    await retriever.delete({ ids: ['gone'] });

    const terms = Object.fromEntries(Object.entries(docs).map(([id, t]) => [id, t.split(' ')]));
    const n = Object.keys(terms).length;
    const avgdl = Object.values(terms).reduce((s, t) => s + t.length, 0) / n;
    const expected = (query: string[]) => {
      const out: { id: string; score: number }[] = [];
      for (const [id, words] of Object.entries(terms)) {
        let score = 0;
        for (const term of query) {
          const tf = words.filter((w) => w === term).length;
          if (tf === 0) continue;
          const df = Object.values(terms).filter((w) => w.includes(term)).length;
          const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
          score += (idf * tf) / (tf + k1 * (1 - b + (b * words.length) / avgdl));
        }
        if (score > 0) out.push({ id, score });
      }
      return out.sort((p, q) => q.score - p.score || (p.id < q.id ? -1 : 1));
    };
    for (const query of [['x'], ['y', 'z'], ['q', 'q', 'x'], ['nothing'], ['z', 'y', 'x', 'q']]) {
      const hits = await retriever.search({ text: query.join(' '), k: 10 });
      const want = expected(query);
      expect(hits.map((h) => h.id)).toEqual(want.map((w) => w.id));
      hits.forEach((h, i) => {
        expect(h.score).toBeCloseTo(want[i]!.score, 12);
      });
    }
  });

  it('k1 and b change the ranking as BM25 says: b = 0 ignores length, k1 = 0 ignores frequency', async () => {
    const analyzer: Analyzer = { id: 'split', analyze: (t) => t.split(' ').filter(Boolean) };
    const records = [
      { id: 'short', text: 'cat' },
      { id: 'long-frequent', text: 'cat cat cat dog dog dog dog dog dog dog' },
    ];
    const rank = async (options: { k1: number; b: number }) => {
      const r = createBm25Retriever({ analyzer, ...options });
      await r.upsert(records);
      return (await r.search({ text: 'cat', k: 2 })).map((h) => h.id);
    };
    expect(await rank({ k1: 1.2, b: 0 })).toEqual(['long-frequent', 'short']);
    expect(await rank({ k1: 1.2, b: 1 })).toEqual(['short', 'long-frequent']);
    const flat = createBm25Retriever({ analyzer, k1: 0, b: 0.75 });
    await flat.upsert(records);
    const [first, second] = await flat.search({ text: 'cat', k: 2 });
    expect(first!.score).toBeCloseTo(second!.score, 12);
  });

  it('has the Anserini and Lucene presets, Anserini by default', () => {
    expect(createBm25Retriever().parameters).toEqual({ k1: 0.9, b: 0.4 });
    expect(createBm25Retriever({ preset: 'lucene' }).parameters).toEqual({ k1: 1.2, b: 0.75 });
    expect(createBm25Retriever({ preset: 'lucene', b: 0.5 }).parameters).toEqual({ k1: 1.2, b: 0.5 });
    expect(() => createBm25Retriever({ b: 2 })).toThrowError(/b must be a number between 0 and 1/);
    expect(() => createBm25Retriever({ k1: Number.NaN })).toThrowError(/k1 must be a finite number/);
    expect(() => createBm25Retriever({ preset: 'okapi' as 'lucene' })).toThrowError(/unknown BM25 preset/);
  });
});
