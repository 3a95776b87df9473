import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRetrieverConformance } from '@ragloom/conformance';
import type { RetrieverV1 } from '@ragloom/core';
import { type Bm25Retriever, createBm25Retriever, loadBm25Retriever } from '../src/index.js';

const fileFor = (id: string) => join(tmpdir(), `ragloom-bm25-conformance-${process.pid}-${id}.bm25`);

for (const analyzer of ['english', 'auto'] as const) {
  describeRetrieverConformance({
    name: `bm25 (${analyzer} analyzer)`,
    query: 'text',
    create: ({ id }) => createBm25Retriever({ analyzer, path: fileFor(id) }),
    destroy: async (_retriever: RetrieverV1, { id }) => {
      await rm(fileFor(id), { force: true });
    },
    reopen: async (retriever, { id }) => {
      await (retriever as Bm25Retriever).save!();
      return loadBm25Retriever(fileFor(id));
    },
  });
}
