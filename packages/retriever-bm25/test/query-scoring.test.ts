import { readFileSync } from 'node:fs';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { createEnglishAnalyzer } from '../src/index.js';
import { type AnalyzedDocument, createInvertedIndex, type InvertedIndex } from '../src/inverted-index.js';
import { accumulatorMode } from '../src/query-scoring.js';

const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim());

const analyzer = createEnglishAnalyzer();
const bag = (text: string) => {
  const counts = new Map<string, number>();
  let length = 0;
  for (const term of analyzer.analyze(text)) {
    counts.set(term, (counts.get(term) ?? 0) + 1);
    length++;
  }
  return { counts, length };
};

const corpus: AnalyzedDocument[] = lines(assetPath('data', 'scifact', 'corpus.jsonl')).map((l) => {
  const d = JSON.parse(l) as { _id: string; title: string; text: string };
  const { counts, length } = bag(`${d.title}\n${d.text}`);
  return { id: d._id, text: '', metadata: { even: Number(d._id) % 2 === 0 }, termCounts: counts, length };
});
const queries = lines(assetPath('data', 'scifact', 'queries.jsonl'))
  .slice(0, 300)
  .map((l) => bag((JSON.parse(l) as { text: string }).text).counts);
const parameters = { k1: 0.9, b: 0.4 };

/**
 * BM25 written out the slow way, over the live documents: the same expression for a term's
 * contribution and the same query-term order, so its scores are bit-identical to the index's.
 */
const frequencies = new WeakMap<readonly AnalyzedDocument[], Map<string, number>>();
function documentFrequencies(documents: readonly AnalyzedDocument[]): Map<string, number> {
  let df = frequencies.get(documents);
  if (df === undefined) {
    df = new Map();
    for (const d of documents) for (const term of d.termCounts.keys()) df.set(term, (df.get(term) ?? 0) + 1);
    frequencies.set(documents, df);
  }
  return df;
}

function reference(documents: readonly AnalyzedDocument[], query: ReadonlyMap<string, number>, k: number) {
  const frequency = documentFrequencies(documents);
  const withTerms = documents.filter((d) => d.length > 0);
  const n = withTerms.length;
  const averageLength = withTerms.reduce((sum, d) => sum + d.length, 0) / n;
  const weights = [...query].map(([term, qf]) => {
    const df = frequency.get(term) ?? 0;
    return { term, weight: df === 0 ? 0 : qf * Math.log(1 + (n - df + 0.5) / (df + 0.5)) };
  });
  const scored: { id: string; score: number }[] = [];
  for (const d of documents) {
    const norm = parameters.k1 * (1 - parameters.b + (parameters.b * d.length) / averageLength);
    let score = 0;
    for (const { term, weight } of weights) {
      const tf = d.termCounts.get(term);
      if (tf !== undefined) score += (weight * tf) / (tf + norm);
    }
    if (score > 0) scored.push({ id: d.id, score });
  }
  scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
  return scored.slice(0, k);
}

const hitsOf = (
  index: InvertedIndex,
  query: ReadonlyMap<string, number>,
  k: number,
  mode: 'dense' | 'sparse',
) => index.search(query, k, parameters, undefined, mode).map((h) => ({ id: h.document.id, score: h.score }));

describe('BM25 query scoring', () => {
  it('dense and sparse accumulation give the reference top k, scores bit for bit, on SciFact', () => {
    const index = createInvertedIndex();
    for (const d of corpus) index.put(d);
    let compared = 0;
    // Every query for the dense path (the default on SciFact); the reference is slow, so every fifth.
    for (const [q, query] of queries.entries()) {
      const dense = hitsOf(index, query, 10, 'dense');
      expect(hitsOf(index, query, 10, 'sparse')).toEqual(dense);
      if (q % 5 === 0) {
        expect(dense).toEqual(reference(corpus, query, 10));
        compared++;
      }
    }
    expect(compared).toBe(60);
    // A deep k, where ties at equal scores are common: still ordered by id.
    for (const query of queries.slice(0, 10)) {
      expect(hitsOf(index, query, 1000, 'dense')).toEqual(reference(corpus, query, 1000));
      expect(hitsOf(index, query, 1000, 'sparse')).toEqual(reference(corpus, query, 1000));
    }
  });

  it('skip deleted documents and apply filters the same way in both modes', () => {
    const index = createInvertedIndex();
    for (const d of corpus) index.put(d);
    // Fewer than the compaction threshold: the deleted documents' postings stay and must be skipped.
    const deleted = new Set(corpus.filter((_, i) => i % 7 === 0).map((d) => d.id));
    for (const id of deleted) index.remove(id);
    expect(index.stats().deleted).toBe(deleted.size);
    const live = corpus.filter((d) => !deleted.has(d.id));
    const even = (metadata: Readonly<Record<string, unknown>> | undefined) => metadata?.even === true;
    for (const query of queries.slice(0, 20)) {
      const want = reference(live, query, 10);
      expect(hitsOf(index, query, 10, 'dense')).toEqual(want);
      expect(hitsOf(index, query, 10, 'sparse')).toEqual(want);
      const filtered = reference(live, query, live.length)
        .filter((h) => Number(h.id) % 2 === 0)
        .slice(0, 10);
      for (const mode of ['dense', 'sparse'] as const) {
        const hits = index.search(query, 10, parameters, even, mode);
        expect(hits.map((h) => ({ id: h.document.id, score: h.score }))).toEqual(filtered);
      }
    }
  });

  it('accumulates densely once the postings are a quarter of the ordinals', () => {
    const term = (length: number) => ({
      docs: new Uint32Array(length),
      freqs: new Uint32Array(length),
      length,
      weight: 1,
    });
    expect(accumulatorMode([term(100), term(150)], 1000)).toBe('dense');
    expect(accumulatorMode([term(100), term(149)], 1000)).toBe('sparse');
    expect(accumulatorMode([], 0)).toBe('dense');
  });

  it('agree on a rare-term query (the sparse path by default)', () => {
    const index = createInvertedIndex();
    for (const d of corpus) index.put(d);
    // Terms in one or two documents: a handful of postings over 5,183 documents.
    const rare = new Map<string, number>();
    for (const d of corpus.slice(0, 400)) {
      for (const term of d.termCounts.keys()) {
        if (documentFrequencies(corpus).get(term)! <= 2) rare.set(term, 1);
        if (rare.size === 3) break;
      }
      if (rare.size === 3) break;
    }
    expect(rare.size).toBe(3);
    const defaultHits = index.search(rare, 10, parameters, undefined).map((h) => h.document.id);
    expect(hitsOf(index, rare, 10, 'sparse').map((h) => h.id)).toEqual(defaultHits);
    expect(hitsOf(index, rare, 10, 'dense')).toEqual(reference(corpus, rare, 10));
    expect(defaultHits.length).toBeGreaterThan(0);
  });
});
