import { readFileSync } from 'node:fs';
import { createMemoryVectorRetriever, type RetrieverRecord, seededRandom } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { autoEf } from '../src/hnsw-options.js';
import { createHnswRetriever, HNSW_DEFAULTS } from '../src/index.js';
import { gaussian } from './helpers.js';

/**
 * SciFact (5,183 abstracts, the shared assets' BEIR copy) embedded as bow-bert-128 embeds it — the
 * normalised sum of a fixed random 128-d vector per token — with words for WordPiece tokens, so
 * that the test needs no encoder package: a real corpus with bag-of-words geometry, the kind of
 * collection where issue 21 measured default HNSW at recall@10 0.853 against exact search.
 */
function bagOfWordsEmbedder(dimension: number) {
  const tokenVectors = new Map<string, Float64Array>();
  const tokenVector = (token: string) => {
    let vector = tokenVectors.get(token);
    if (vector === undefined) {
      let seed = 2166136261;
      for (let i = 0; i < token.length; i++) seed = Math.imul(seed ^ token.charCodeAt(i), 16777619);
      const normal = gaussian(seededRandom(seed >>> 0));
      vector = Float64Array.from({ length: dimension }, normal);
      tokenVectors.set(token, vector);
    }
    return vector;
  };
  return (text: string): number[] => {
    const sum = new Float64Array(dimension);
    for (const token of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
      const v = tokenVector(token);
      for (let d = 0; d < dimension; d++) sum[d]! += v[d]!;
    }
    const norm = Math.hypot(...sum) || 1;
    return Array.from(sum, (x) => x / norm);
  };
}

const readJsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { _id: string; title?: string; text: string });

describe('defaults that are exact when cheap', () => {
  it('default search on SciFact (5,183 docs, 128-d) equals exact search: a scan below the size threshold', async () => {
    const embed = bagOfWordsEmbedder(128);
    const docs = readJsonl(assetPath('data', 'scifact', 'corpus.jsonl'));
    expect(docs.length).toBe(5183);
    const records: RetrieverRecord[] = docs.map((d) => ({
      id: d._id,
      text: d.text,
      vector: embed(`${d.title ?? ''} ${d.text}`),
    }));
    const queries = readJsonl(assetPath('data', 'scifact', 'queries.jsonl'))
      .slice(0, 300)
      .map((q) => embed(q.text));
    const manifest = { encoderModelId: 'bow-128', dimension: 128, metric: 'cosine' as const };
    const index = createHnswRetriever(manifest);
    const exact = createMemoryVectorRetriever(manifest);
    await index.upsert(records);
    await exact.upsert(records);
    expect(5183 * 128 * 4).toBeLessThan(HNSW_DEFAULTS.fullScanThreshold);
    let found = 0;
    for (const vector of queries) {
      const ours = await index.search({ vector, k: 10 });
      const truth = await exact.search({ vector, k: 10 });
      const ids = new Set(ours.map((h) => h.id));
      found += truth.filter((h) => ids.has(h.id)).length;
      expect(ours.map((h) => h.id)).toEqual(truth.map((h) => h.id));
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.99);
    expect(index.stats().searches).toMatchObject({ scan: queries.length, graph: 0 });
  });

  it('above the threshold ef adapts to k (clamp(8k, 100, 500), k itself beyond)', () => {
    expect([1, 10, 12, 50, 62, 63, 100, 499, 500, 2000].map(autoEf)).toEqual([
      100, 100, 100, 400, 496, 500, 500, 500, 500, 2000,
    ]);
  });
});
