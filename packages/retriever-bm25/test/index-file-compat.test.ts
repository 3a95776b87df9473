import { readFileSync } from 'node:fs';
import type { RetrieverRecord } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import {
  type Bm25Retriever,
  bm25RetrieverFromBytes,
  createBm25Retriever,
  INDEX_FORMAT_VERSION,
  loadBm25Retriever,
} from '../src/index.js';

// format-v1.bm25 was written by @ragloom/retriever-bm25 at commit 37c5dee (index format version 1),
// from format-v1.records.json: english analyzer, lucene preset, the records upserted, then a record
// "gone" upserted and deleted (so the writer compacted a tombstone away).
const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url);
const records = JSON.parse(readFileSync(fixture('format-v1.records.json'), 'utf8')) as RetrieverRecord[];
const queries = ['brown fox', 'dog', 'foxes of europe', 'common', 'the', 'zzz', 'brown brown bear'];

async function rebuilt(): Promise<Bm25Retriever> {
  const r = createBm25Retriever({ analyzer: 'english', preset: 'lucene' });
  await r.upsert(records);
  await r.upsert([{ id: 'gone', text: 'brown brown brown' }]);
  await r.delete({ ids: ['gone'] });
  return r;
}

const answers = (r: Bm25Retriever) => Promise.all(queries.map((text) => r.search({ text, k: 10 })));

describe('BM25 index files written by earlier versions', () => {
  it('a version 1 file loads and answers exactly as the same index built now', async () => {
    const loaded = await loadBm25Retriever(fixture('format-v1.bm25').pathname);
    const fresh = await rebuilt();
    expect(loaded.manifest).toEqual({ kind: 'sparse', analyzer: 'english-v1' });
    expect(loaded.parameters).toEqual({ k1: 1.2, b: 0.75 });
    expect(await answers(loaded)).toEqual(await answers(fresh));
    expect((await loaded.search({ text: 'brown fox', k: 10 })).map((h) => h.id)).toEqual([
      'e',
      'a',
      'b',
      'c',
    ]);
    fresh.toBytes(); // writing compacts the tombstone away, as it did for the file
    expect(loaded.stats()).toEqual(fresh.stats());
    expect(await loaded.count({ n: { $gte: 2 } })).toBe(3);
    // Still writable: its posting lists start as views of the file's arrays and are copied on growth.
    const more = { id: 'f', text: 'a brown fox again, and a dog' };
    await loaded.upsert([more]);
    await fresh.upsert([more]);
    expect(await answers(loaded)).toEqual(await answers(fresh));
  });

  it('this version still writes version 1, byte for byte (a format change must bump the version)', async () => {
    expect(INDEX_FORMAT_VERSION).toBe(1);
    expect((await rebuilt()).toBytes()).toEqual(new Uint8Array(readFileSync(fixture('format-v1.bm25'))));
  });

  it('a loaded index compacts its file-backed posting lists in place without disturbing other terms', async () => {
    const corpus = Array.from({ length: 1500 }, (_, i) => ({
      id: `doc-${String(i).padStart(4, '0')}`,
      text: `w${i % 7} w${i % 11} w${i % 13} shared ${i % 3 === 0 ? 'fizz' : ''} ${i % 5 === 0 ? 'buzz' : ''}`,
    }));
    const original = createBm25Retriever({ analyzer: 'standard' });
    await original.upsert(corpus);
    const loaded = bm25RetrieverFromBytes(original.toBytes());
    // More than 1,024 deletions and over a quarter of the index: both compact.
    const doomed = corpus.filter((_, i) => i % 4 !== 0).map((d) => d.id);
    await original.delete({ ids: doomed });
    await loaded.delete({ ids: doomed });
    // Compaction ran once the tombstones passed 1,024 (the rest are still tombstones).
    expect(loaded.stats().deleted).toBeLessThan(doomed.length - 1024);
    expect(loaded.stats()).toEqual(original.stats());
    for (const text of ['w3 fizz', 'buzz shared', 'w0 w1 w2', 'w12 w10 w6']) {
      expect(await loaded.search({ text, k: 50 })).toEqual(await original.search({ text, k: 50 }));
    }
  });
});
