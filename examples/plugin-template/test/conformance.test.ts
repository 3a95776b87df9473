import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeRetrieverConformance } from '@ragloom/conformance';
import { afterAll } from 'vitest';
import { openFlatRetriever } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-flat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describeRetrieverConformance({
  name: 'flat (plugin template)',
  query: 'vector',
  create: ({ manifest, id }) => openFlatRetriever({ manifest: manifest!, path: join(dir, `${id}.json`) }),
  reopen: async (retriever, { manifest, id }) => {
    await retriever.save?.();
    return openFlatRetriever({ manifest: manifest!, path: join(dir, `${id}.json`) });
  },
});
