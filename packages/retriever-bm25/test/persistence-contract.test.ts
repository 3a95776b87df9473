// Issue 13, item 6: save() exists if and only if capabilities.persistent; an index without a path
// is not persistent (its bytes can still be exported), and a pipeline can ingest into it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPipeline } from '@ragloom/core';
import { afterAll, describe, expect, it } from 'vitest';
import { bm25RetrieverFromBytes, createBm25Retriever, loadBm25Retriever } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-bm25-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const documents = [
  { id: 'a', text: 'BM25 ranks documents by term frequency and inverse document frequency.' },
  { id: 'b', text: 'A saved index keeps its postings, documents and analyzer in one file.' },
];

describe('the persistence contract of BM25 indexes', () => {
  it('an index without a path is not persistent and has no save(); its bytes and writeFile still work', async () => {
    const index = createBm25Retriever();
    expect(index.capabilities.persistent).toBe(false);
    expect(index.save).toBeUndefined();
    await index.upsert([{ id: 'x', text: 'postings' }]);
    const file = join(dir, 'exported.bm25');
    await index.writeFile(file);
    expect(readFileSync(file)).toEqual(Buffer.from(index.toBytes()));
    expect(index.path, 'writeFile does not make the file the index home').toBeUndefined();
    expect(await (await loadBm25Retriever(file)).count()).toBe(1);
    const copy = bm25RetrieverFromBytes(index.toBytes());
    expect(copy.capabilities.persistent).toBe(false);
    expect(copy.save).toBeUndefined();
  });

  it('an index with a path is persistent, and so is one loaded from a file', async () => {
    const path = join(dir, 'home.bm25');
    const index = createBm25Retriever({ path });
    expect(index.capabilities.persistent).toBe(true);
    await index.upsert([{ id: 'x', text: 'postings' }]);
    await index.save();
    const loaded = await loadBm25Retriever(path);
    expect(loaded.capabilities.persistent).toBe(true);
    expect(typeof loaded.save).toBe('function');
    const fromBytes = bm25RetrieverFromBytes(index.toBytes(), { path: join(dir, 'other.bm25') });
    expect(fromBytes.capabilities.persistent).toBe(true);
    await fromBytes.save();
    expect(await (await loadBm25Retriever(join(dir, 'other.bm25'))).count()).toBe(1);
  });

  it('pipeline.ingest works on an index without a path', async () => {
    const index = createBm25Retriever();
    const pipeline = createPipeline({ retrievers: [index] });
    expect(await pipeline.ingest(documents)).toEqual({ documents: 2, chunks: 2 });
    expect(await index.count()).toBe(2);
    expect((await pipeline.retrieve('inverse document frequency', { k: 1 }))[0]?.documentId).toBe('a');
  });

  it('pipeline.ingest saves an index with a path', async () => {
    const path = join(dir, 'pipeline.bm25');
    await createPipeline({ retrievers: [createBm25Retriever({ path })] }).ingest(documents);
    expect(await (await loadBm25Retriever(path)).count()).toBe(2);
  });
});
