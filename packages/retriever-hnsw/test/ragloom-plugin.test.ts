import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { isRagloomError } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;

describe('ragloomPlugin', () => {
  it('builds its manifest from the host encoder and keeps the index in the folder it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-plugin-'));
    const first = await ragloomPlugin.retriever!.create(
      { M: 8 },
      pluginTestContext('retriever', dir, { denseManifest }),
    );
    expect(first.manifest).toEqual(denseManifest);
    await first.upsert([{ id: 'a', text: 'a', vector: [1, 0, 0] }]);
    await first.save!();
    expect(existsSync(join(dir, 'hnsw.index'))).toBe(true);
    const again = await ragloomPlugin.retriever!.create(
      {},
      pluginTestContext('retriever', dir, { denseManifest }),
    );
    expect((await again.search({ vector: [1, 0, 0], k: 1 }))[0]?.id).toBe('a');
  });

  it('needs an encoder, and names bad options by field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-plugin-'));
    const error = await Promise.resolve()
      .then(() => ragloomPlugin.retriever!.create({}, pluginTestContext('retriever', dir)))
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, { M: 1, kernel: 'gpu' })).toEqual([
      'M',
      'kernel',
    ]);
  });
});
