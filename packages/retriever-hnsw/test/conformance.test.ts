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
  { name: 'hnsw (wasm kernel)', kernel: 'wasm' as const, fullScanThreshold: undefined },
  { name: 'hnsw (js kernel)', kernel: 'js' as const, fullScanThreshold: undefined },
  // Every search walks the graph (no exact shortcut for small indexes or selective filters):
  // the filtered top-k must still be exact, through the fallback when the walk finds fewer than k.
  { name: 'hnsw (graph walk forced)', kernel: 'auto' as const, fullScanThreshold: 0 },
];

for (const variant of variants) {
  describeRetrieverConformance({
    name: variant.name,
    query: 'vector',
    create: ({ manifest, id }) =>
      createHnswRetriever({
        ...manifest!,
        kernel: variant.kernel,
        fullScanThreshold: variant.fullScanThreshold,
        path: join(dir, `${id}.hnsw`),
      }),
    reopen: async (retriever: RetrieverV1) => {
      const hnsw = retriever as HnswRetriever;
      await hnsw.save();
      return loadHnswRetriever(hnsw.path!, {
        kernel: variant.kernel,
        fullScanThreshold: variant.fullScanThreshold,
      });
    },
    destroy: async (retriever: RetrieverV1) => {
      const path = (retriever as HnswRetriever).path;
      await retriever.close?.();
      if (path) rmSync(path, { force: true });
    },
  });
}
