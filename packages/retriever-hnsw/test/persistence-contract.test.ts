// Issue 13, item 6: save() exists if and only if capabilities.persistent; an index without a path
// is not persistent (its bytes can still be exported), and a pipeline can ingest into it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHashingEncoder, createPipeline } from '@ragloom/core';
import { afterAll, describe, expect, it } from 'vitest';
import { createHnswRetriever, hnswRetrieverFromBytes, loadHnswRetriever } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const encoder = createHashingEncoder({ dimension: 32 });
const manifest = { encoderModelId: encoder.modelId, dimension: encoder.dimension };
const documents = [
  { id: 'a', text: 'HNSW builds a navigable small-world graph over the vectors.' },
  { id: 'b', text: 'Persistence writes the graph, the vectors and the metadata to one file.' },
];

describe('the persistence contract of HNSW indexes', () => {
  it('an index without a path is not persistent and has no save(); its bytes and writeFile still work', async () => {
    const index = createHnswRetriever(manifest);
    expect(index.capabilities.persistent).toBe(false);
    expect(index.save).toBeUndefined();
    await index.upsert([{ id: 'x', text: 'x', vector: new Array(32).fill(0.25) }]);
    const file = join(dir, 'exported.hnsw');
    await index.writeFile(file);
    expect(readFileSync(file)).toEqual(Buffer.from(index.toBytes()));
    expect(index.path, 'writeFile does not make the file the index home').toBeUndefined();
    expect(await (await loadHnswRetriever(file)).count()).toBe(1);
    const copy = hnswRetrieverFromBytes(index.toBytes());
    expect(copy.capabilities.persistent).toBe(false);
    expect(copy.save).toBeUndefined();
  });

  it('an index with a path is persistent, and so is one loaded from a file', async () => {
    const path = join(dir, 'home.hnsw');
    const index = createHnswRetriever({ ...manifest, path });
    expect(index.capabilities.persistent).toBe(true);
    await index.upsert([{ id: 'x', text: 'x', vector: new Array(32).fill(0.25) }]);
    await index.save();
    const loaded = await loadHnswRetriever(path);
    expect(loaded.capabilities.persistent).toBe(true);
    expect(typeof loaded.save).toBe('function');
    const fromBytes = hnswRetrieverFromBytes(index.toBytes(), { path: join(dir, 'other.hnsw') });
    expect(fromBytes.capabilities.persistent).toBe(true);
    await fromBytes.save();
    expect(await (await loadHnswRetriever(join(dir, 'other.hnsw'))).count()).toBe(1);
  });

  it('pipeline.ingest works on an index without a path', async () => {
    const index = createHnswRetriever(manifest);
    const pipeline = createPipeline({ encoder, retrievers: [index] });
    expect(await pipeline.ingest(documents)).toEqual({ documents: 2, chunks: 2 });
    expect(await index.count()).toBe(2);
    expect((await pipeline.retrieve('graph over the vectors', { k: 1 }))[0]?.documentId).toBe('a');
  });

  it('pipeline.ingest saves an index with a path', async () => {
    const path = join(dir, 'pipeline.hnsw');
    const pipeline = createPipeline({ encoder, retrievers: [createHnswRetriever({ ...manifest, path })] });
    await pipeline.ingest(documents);
    expect(await (await loadHnswRetriever(path)).count()).toBe(2);
  });
});
