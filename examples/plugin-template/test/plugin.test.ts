import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DenseIndexManifest, isRagloomError } from '@ragloom/core';
import { afterAll, describe, expect, it } from 'vitest';
import { flatPluginOptionsSchema, ragloomPlugin } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-flat-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest: DenseIndexManifest = {
  kind: 'dense',
  encoderModelId: 'test/enc',
  dimension: 3,
  metric: 'cosine',
};

describe('the ragloomPlugin export', () => {
  it('declares v1 and a retriever factory', () => {
    expect(ragloomPlugin.specificationVersion).toBe('v1');
    expect(typeof ragloomPlugin.retriever.create).toBe('function');
  });

  it('validates options as a Standard Schema, naming the field', () => {
    const bad = flatPluginOptionsSchema['~standard'].validate({ metric: 'manhattan', extra: 1 });
    expect('issues' in bad && bad.issues.map((i) => i.path.join('.'))).toEqual(['extra', 'metric']);
    const good = flatPluginOptionsSchema['~standard'].validate({ metric: 'dot' });
    expect(good).toEqual({ value: { metric: 'dot' } });
  });

  it('persists in the folder it is given and reopens with the same records', async () => {
    const storageDir = join(dir, 'a');
    const first = await ragloomPlugin.retriever.create({}, { storageDir, denseManifest: manifest });
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0], metadata: { lang: 'en' } }]);
    await first.save?.();
    const again = await ragloomPlugin.retriever.create({}, { storageDir, denseManifest: manifest });
    expect(await again.count()).toBe(1);
    const [hit] = await again.search({ vector: [1, 0, 0], k: 1 });
    expect(hit).toMatchObject({ id: 'x', text: 'hello', metadata: { lang: 'en' } });
    expect(hit!.score).toBeCloseTo(1, 6);
  });

  it('refuses an index built by another encoder (MANIFEST_MISMATCH)', async () => {
    const storageDir = join(dir, 'b');
    const first = await ragloomPlugin.retriever.create({}, { storageDir, denseManifest: manifest });
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0] }]);
    await first.save?.();
    const other = { ...manifest, encoderModelId: 'other/enc' };
    const error = await ragloomPlugin.retriever
      .create({}, { storageDir, denseManifest: other })
      .catch((e) => e);
    expect(isRagloomError(error, 'MANIFEST_MISMATCH')).toBe(true);
  });

  it('refuses a damaged index file (INDEX_CORRUPT), never half-loads it', async () => {
    const storageDir = join(dir, 'c');
    const first = await ragloomPlugin.retriever.create({}, { storageDir, denseManifest: manifest });
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0] }]);
    await first.save?.();
    const file = join(storageDir, 'flat-index.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('hello', 'jello'));
    const error = await ragloomPlugin.retriever
      .create({}, { storageDir, denseManifest: manifest })
      .catch((e) => e);
    expect(isRagloomError(error, 'INDEX_CORRUPT')).toBe(true);
    expect(String(error.message)).toContain('checksum');
  });

  it('needs an encoder (INVALID_CONFIG without a dense manifest)', async () => {
    const error = await ragloomPlugin.retriever.create({}, { storageDir: join(dir, 'd') }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
  });
});
