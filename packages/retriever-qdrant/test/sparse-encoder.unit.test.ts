import { simpleTokenize } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { createBm25SparseEncoder, fnv1a32 } from '../src/index.js';

describe('BM25 sparse encoder (unit)', () => {
  it('FNV-1a 32 matches the published test vectors', () => {
    // From the FNV reference test suite (Fowler/Noll/Vo): "" → 0x811c9dc5, "a" → 0xe40c292c, "foobar" → 0xbf9cf968.
    expect(fnv1a32('')).toBe(0x811c9dc5);
    expect(fnv1a32('a')).toBe(0xe40c292c);
    expect(fnv1a32('foobar')).toBe(0xbf9cf968);
  });

  it('document weights follow tf·(k1+1) / (tf + k1·(1 − b + b·|d|/avgdl)), one dimension per term', async () => {
    const encoder = createBm25SparseEncoder({ k1: 1.2, b: 0.75, averageDocumentLength: 4 });
    const [doc] = await encoder.encodeDocuments(['Red apple, RED pear']);
    const length = 4; // red apple red pear
    const norm = 1.2 * (1 - 0.75 + (0.75 * length) / 4);
    const weight = (tf: number) => (tf * 2.2) / (tf + norm);
    const expected = new Map([
      [fnv1a32('red'), weight(2)],
      [fnv1a32('apple'), weight(1)],
      [fnv1a32('pear'), weight(1)],
    ]);
    expect(doc!.indices).toEqual([...expected.keys()].sort((a, b) => a - b));
    for (const [i, index] of doc!.indices.entries())
      expect(doc!.values[i]).toBeCloseTo(expected.get(index)!, 12);
    expect(encoder.modifier).toBe('idf');
  });

  it('queries weigh each distinct term 1; CJK text becomes per-character terms', async () => {
    const encoder = createBm25SparseEncoder();
    const query = await encoder.encodeQuery('北京 北京 capital');
    const terms = [...new Set(simpleTokenize('北京 北京 capital'))];
    expect(terms).toEqual(['北', '京', 'capital']);
    expect(query.indices).toEqual(terms.map(fnv1a32).sort((a, b) => a - b));
    expect(query.values).toEqual([1, 1, 1]);
    expect((await encoder.encodeQuery('  ,.  ')).indices).toEqual([]);
  });

  it('the id names every parameter, so collections built with other settings are refused', () => {
    expect(createBm25SparseEncoder().id).toBe(
      'bm25(tokenizer=ragloom-simple-v1,hash=fnv1a32,k1=1.2,b=0.75,avgdl=256)',
    );
    expect(createBm25SparseEncoder({ k1: 2 }).id).not.toBe(createBm25SparseEncoder().id);
    expect(createBm25SparseEncoder({ tokenize: (t) => t.split(' '), tokenizerId: 'ws' }).id).toContain(
      'tokenizer=ws',
    );
    expect(() => createBm25SparseEncoder({ b: 2 })).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
  });
});
