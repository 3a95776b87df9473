import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRetrieverConformance } from '@ragloom/conformance';
import type { RetrieverV1 } from '@ragloom/core';
import { afterAll } from 'vitest';
import { createHnswRetriever, type HnswRetriever, loadHnswRetriever } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-conformance-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const variants = [
  { name: 'hnsw (wasm kernel)', kernel: 'wasm' as const, exactSearchThreshold: undefined },
  { name: 'hnsw (js kernel)', kernel: 'js' as const, exactSearchThreshold: undefined },
  // Every search walks the graph (no exact shortcut for small indexes or selective filters):
  // the filtered top-k must still be exact, through the fallback when the walk finds fewer than k.
  // Deletes leave tombstones until compact() is called, so 'search-during-compaction' repairs a
  // graph full of them while searches walk it; the concurrency tests write enough records that
  // the insert and repair loops yield to the event loop several times.
  {
    name: 'hnsw (graph walk forced)',
    kernel: 'auto' as const,
    exactSearchThreshold: 0,
    compactionThreshold: 1,
    concurrencyRecords: 1200,
  },
];

for (const variant of variants) {
  describeRetrieverConformance({
    name: variant.name,
    query: 'vector',
    create: ({ manifest, id }) =>
      createHnswRetriever({
        ...manifest!,
        kernel: variant.kernel,
        exactSearchThreshold: variant.exactSearchThreshold,
        compactionThreshold: variant.compactionThreshold,
        path: join(dir, `${id}.hnsw`),
      }),
    compact: (retriever) => (retriever as HnswRetriever).compact(),
    concurrencyRecords: variant.concurrencyRecords,
    reopen: async (retriever: RetrieverV1) => {
      const hnsw = retriever as HnswRetriever;
      await hnsw.save!();
      return loadHnswRetriever(hnsw.path!, {
        kernel: variant.kernel,
        exactSearchThreshold: variant.exactSearchThreshold,
        compactionThreshold: variant.compactionThreshold,
      });
    },
    destroy: async (retriever: RetrieverV1) => {
      const path = (retriever as HnswRetriever).path;
      await retriever.close?.();
      if (path) rmSync(path, { force: true });
    },
  });
}
