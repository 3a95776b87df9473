import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { expectRagloomError } from '@ragloom/conformance';
import type { RetrieverRecord } from '@ragloom/core';
import { crc32 } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Analyzer,
  type Bm25Retriever,
  bm25RetrieverFromBytes,
  createBm25Retriever,
  loadBm25Retriever,
  openBm25Retriever,
  type PersistentBm25Retriever,
} from '../src/index.js';

let folder: string;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'ragloom-bm25-'));
});
afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

const records: RetrieverRecord[] = [
  { id: 'a', text: 'The quick brown fox jumps over the lazy dog', metadata: { n: 1, tags: ['x', 'y'] } },
  { id: 'b', text: 'A fast brown dog leaps', metadata: { n: 2, note: null } },
  { id: 'c', text: '敏捷的棕色狐狸跳过了懒狗 fox', metadata: { n: 3, when: '2024-05-01' } },
  { id: 'd', text: 'Nothing in common here', metadata: {} },
];
const queries = ['brown fox', 'dog', '狐狸', 'common', 'zzz'];

async function sampleIndex(): Promise<Bm25Retriever>;
async function sampleIndex(path: string): Promise<PersistentBm25Retriever>;
async function sampleIndex(path?: string): Promise<Bm25Retriever> {
  const r = createBm25Retriever({ analyzer: 'auto', preset: 'lucene', ...(path ? { path } : {}) });
  await r.upsert(records);
  await r.upsert([{ id: 'gone', text: 'brown brown brown' }]);
  await r.delete({ ids: ['gone'] });
  return r;
}

async function results(r: Bm25Retriever) {
  return Promise.all(queries.map((text) => r.search({ text, k: 10 })));
}

describe('BM25 index files', () => {
  it('crc32 equals zlib’s', () => {
    const bytes = new TextEncoder().encode('ragloom 索引 checksum');
    expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    expect(crc32(new Uint8Array(0))).toBe(zlibCrc32(new Uint8Array(0)));
  });

  it('round-trips: a loaded index answers exactly as the saved one', async () => {
    const path = join(folder, 'roundtrip', 'index.bm25');
    const original = await sampleIndex(path);
    await original.save();
    const loaded = await loadBm25Retriever(path);
    expect(loaded.manifest).toEqual(original.manifest);
    expect(loaded.manifest.analyzer).toBe('auto-v1');
    expect(loaded.parameters).toEqual({ k1: 1.2, b: 0.75 });
    expect(loaded.path).toBe(path);
    expect(await results(loaded)).toEqual(await results(original));
    expect(loaded.stats()).toEqual(original.stats());
    expect(await loaded.count({ n: { $gte: 2 } })).toBe(2);
    // Still writable, and saving again is stable.
    await loaded.upsert([{ id: 'e', text: 'another brown fox' }]);
    await loaded.save();
    const again = await loadBm25Retriever(path);
    expect(await again.count()).toBe(5);
    expect(await results(again)).toEqual(await results(loaded));
  });

  it('writes atomically: no temporary file is left, and a failed write keeps the old file', async () => {
    const path = join(folder, 'atomic.bm25');
    const r = await sampleIndex(path);
    await r.save();
    const before = await readFile(path);
    await r.save();
    expect((await readdir(folder)).filter((f) => f.includes('.tmp'))).toEqual([]);
    // Saving into a path whose parent is a file fails cleanly, with a typed error.
    await writeFile(join(folder, 'not-a-folder'), 'x');
    await expectRagloomError(
      () => r.save(join(folder, 'not-a-folder', 'index.bm25')),
      'IO_ERROR',
      'r.save(join(folder, "not-a-folder", "index.bm25"))',
    );
    expect(await readFile(path)).toEqual(before);
  });

  it('detects a flipped byte anywhere as INDEX_CORRUPT', async () => {
    const bytes = (await sampleIndex()).toBytes();
    // Every 7th byte plus the ends: header, sections and checksum are all covered.
    for (let i = 0; i < bytes.length; i += i < 64 ? 1 : 7) {
      const damaged = bytes.slice();
      damaged[i]! ^= 0x20;
      await expectRagloomError(
        () => bm25RetrieverFromBytes(damaged),
        'INDEX_CORRUPT',
        'bm25RetrieverFromBytes(damaged)',
      );
    }
    const lastByte = bytes.slice();
    lastByte[bytes.length - 1]! ^= 1;
    await expectRagloomError(
      () => bm25RetrieverFromBytes(lastByte),
      'INDEX_CORRUPT',
      'bm25RetrieverFromBytes(lastByte)',
    );
  });

  it('detects truncation and a foreign file as INDEX_CORRUPT, naming the file', async () => {
    const path = join(folder, 'truncated.bm25');
    const bytes = (await sampleIndex()).toBytes();
    for (const length of [0, 10, 100, bytes.length - 1]) {
      await writeFile(path, bytes.subarray(0, length));
      const error = await expectRagloomError(
        () => loadBm25Retriever(path),
        'INDEX_CORRUPT',
        'loadBm25Retriever(path)',
      );
      expect(error.message).toContain(path);
    }
    await writeFile(path, JSON.stringify({ not: 'an index' }));
    await expectRagloomError(() => loadBm25Retriever(path), 'INDEX_CORRUPT', 'loadBm25Retriever(path)');
  });

  it('rejects another format version as INDEX_CORRUPT, saying which', async () => {
    const bytes = (await sampleIndex()).toBytes();
    const newer = bytes.slice();
    new DataView(newer.buffer).setUint32(8, 2, true);
    const error = await expectRagloomError(
      () => bm25RetrieverFromBytes(newer),
      'INDEX_CORRUPT',
      'bm25RetrieverFromBytes(newer)',
    );
    expect(error.message).toMatch(/format version 2 is not supported.*upgrade/);
  });

  it('rejects structurally inconsistent content even with a valid checksum', async () => {
    const bytes = (await sampleIndex()).toBytes();
    // Re-seal a change in the postings with a correct checksum: the structure checks must catch it.
    const tampered = bytes.slice();
    const view = new DataView(tampered.buffer);
    const freqsEnd = tampered.length - 4 - 8; // within the last (freqs) section or its padding
    for (let at = freqsEnd; at > freqsEnd - 64; at -= 4) view.setUint32(at, 9999, true);
    view.setUint32(tampered.length - 4, crc32(tampered.subarray(0, tampered.length - 4)), true);
    await expectRagloomError(
      () => bm25RetrieverFromBytes(tampered),
      'INDEX_CORRUPT',
      'bm25RetrieverFromBytes(tampered)',
    );
  });

  it('reports a missing file as NOT_FOUND, and open() creates then reloads', async () => {
    const path = join(folder, 'open', 'index.bm25');
    await expectRagloomError(() => loadBm25Retriever(path), 'NOT_FOUND', 'loadBm25Retriever(path)');
    const created = await openBm25Retriever({ path, analyzer: 'cjk' });
    expect(await created.count()).toBe(0);
    await created.upsert([{ id: 'x', text: '北京欢迎你' }]);
    await created.save();
    const reopened = await openBm25Retriever({ path, analyzer: 'cjk' });
    expect((await reopened.search({ text: '北京', k: 1 })).map((h) => h.id)).toEqual(['x']);
  });

  it('refuses an analyzer other than the stored one (MANIFEST_MISMATCH)', async () => {
    const path = join(folder, 'mismatch.bm25');
    const r = await sampleIndex(path);
    await r.save();
    const error = await expectRagloomError(
      () => loadBm25Retriever(path, { analyzer: 'english' }),
      'MANIFEST_MISMATCH',
      'loadBm25Retriever(path, { analyzer: "english" })',
    );
    expect(error.message).toMatch(/auto-v1.*english-v1/);
    await expectRagloomError(
      () => openBm25Retriever({ path, analyzer: 'cjk' }),
      'MANIFEST_MISMATCH',
      'openBm25Retriever({ path, analyzer: "cjk" })',
    );
  });

  it('needs a custom analyzer passed back in to open an index built with it', async () => {
    const path = join(folder, 'custom.bm25');
    const analyzer: Analyzer = {
      id: 'my-splitter-v1',
      analyze: (t) => t.toLowerCase().split(/\W+/).filter(Boolean),
    };
    const r = createBm25Retriever({ analyzer, path });
    await r.upsert(records);
    await r.save();
    const error = await expectRagloomError(
      () => loadBm25Retriever(path),
      'INVALID_ARGUMENT',
      'loadBm25Retriever(path)',
    );
    expect(error.message).toMatch(/custom analyzer "my-splitter-v1"/);
    const loaded = await loadBm25Retriever(path, { analyzer });
    expect(await results(loaded)).toEqual(await results(r));
    await expectRagloomError(
      () => loadBm25Retriever(path, { analyzer: { id: 'other', analyze: () => [] } }),
      'MANIFEST_MISMATCH',
      'load with another custom analyzer',
    );
  });

  it('overrides k1/b on load without touching what is stored', async () => {
    const bytes = (await sampleIndex()).toBytes();
    expect(bm25RetrieverFromBytes(bytes, { preset: 'anserini' }).parameters).toEqual({ k1: 0.9, b: 0.4 });
    expect(bm25RetrieverFromBytes(bytes).parameters).toEqual({ k1: 1.2, b: 0.75 });
  });

  it('an index without a path has no save(); writeFile needs a path', async () => {
    const r = await sampleIndex();
    expect(r.save).toBeUndefined();
    await expectRagloomError(() => r.writeFile(''), 'INVALID_ARGUMENT', 'writeFile("")');
  });
});
