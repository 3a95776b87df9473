import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePluginConformance, pluginTestContext } from '@ragloom/conformance';
import {
  type DenseIndexManifest,
  isRagloomError,
  type PluginContextV1,
  type RagloomPluginV1,
} from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, describe, expect, expectTypeOf, it } from 'vitest';
import { flatPluginOptionsSchema, openFlatRetriever, ragloomPlugin } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ragloom-flat-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const manifest: DenseIndexManifest = {
  kind: 'dense',
  encoderModelId: 'test/enc',
  dimension: 3,
  metric: 'cosine',
};

/** The context a host such as the ragloom app passes: plain data, as the app builds it. */
const context = (storageDir: string, denseManifest?: DenseIndexManifest): PluginContextV1 => ({
  kind: 'retriever',
  name: 'flat',
  configDir: dir,
  storageDir,
  denseManifest,
  resolveModel: (ref) => ref,
  hub: { offline: true },
  log: () => {},
});
const factory = ragloomPlugin.retriever;

describe('the ragloomPlugin export', () => {
  it('declares v1 and a retriever factory', () => {
    expect(ragloomPlugin.specificationVersion).toBe('v1');
    expect(typeof factory.create).toBe('function');
  });

  it('validates options as a Standard Schema, naming the field', async () => {
    const bad = await flatPluginOptionsSchema['~standard'].validate({ metric: 'manhattan', extra: 1 });
    expect(bad.issues?.map((i) => `${i.path?.join('.')}: ${i.message}`)).toEqual([
      'extra: unknown option "extra"; valid options: metric, fileName',
      'metric: expected one of "cosine", "dot", "l2", got "manhattan"',
    ]);
    const good = await flatPluginOptionsSchema['~standard'].validate({ metric: 'dot' });
    expect(good).toEqual({ value: { metric: 'dot', fileName: 'flat-index.json' } });
  });

  it('create gets typed options, and checks them itself when called directly', async () => {
    expectTypeOf(factory.create).parameter(0).toEqualTypeOf<{
      readonly metric?: 'cosine' | 'dot' | 'l2' | undefined;
      readonly fileName?: string | undefined;
    }>();
    expectTypeOf(ragloomPlugin).toExtend<RagloomPluginV1>();
    const error = await rejectionOf(
      Promise.resolve().then(() =>
        factory.create({ fileName: '../escape' }, context(join(dir, 'e'), manifest)),
      ),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.details).toEqual({
      component: 'retriever "flat" (ragloom-plugin-template)',
      issues: [{ path: 'fileName', message: 'expected a plain file name, got "../escape"' }],
    });
  });

  it('the factory refuses bad options with one INVALID_CONFIG naming every field', async () => {
    const error = await rejectionOf(
      openFlatRetriever({
        manifest: { kind: 'dense', encoderModelId: '', dimension: 0, metric: 'cosine' },
      }),
    );
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toBe(
      'invalid options for openFlatRetriever: manifest.encoderModelId: expected a non-empty string, got ""; ' +
        'manifest.dimension: expected an integer from 1 to 65536, got 0',
    );
  });

  it('persists in the folder it is given and reopens with the same records', async () => {
    const storageDir = join(dir, 'a');
    const first = await factory.create({}, context(storageDir, manifest));
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0], metadata: { lang: 'en' } }]);
    await first.save?.();
    const again = await factory.create({}, context(storageDir, manifest));
    expect(await again.count()).toBe(1);
    const [hit] = await again.search({ vector: [1, 0, 0], k: 1 });
    expect(hit).toMatchObject({ id: 'x', text: 'hello', metadata: { lang: 'en' } });
    expect(hit!.score).toBeCloseTo(1, 6);
  });

  it('refuses an index built by another encoder (MANIFEST_MISMATCH)', async () => {
    const storageDir = join(dir, 'b');
    const first = await factory.create({}, context(storageDir, manifest));
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0] }]);
    await first.save?.();
    const other = { ...manifest, encoderModelId: 'other/enc' };
    const error = await Promise.resolve()
      .then(() => factory.create({}, context(storageDir, other)))
      .catch((e: unknown) => e as Error);
    expect(isRagloomError(error, 'MANIFEST_MISMATCH')).toBe(true);
  });

  it('refuses a damaged index file (INDEX_CORRUPT), never half-loads it', async () => {
    const storageDir = join(dir, 'c');
    const first = await factory.create({}, context(storageDir, manifest));
    await first.upsert([{ id: 'x', text: 'hello', vector: [1, 0, 0] }]);
    await first.save?.();
    const file = join(storageDir, 'flat-index.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('hello', 'jello'));
    const error = await Promise.resolve()
      .then(() => factory.create({}, context(storageDir, manifest)))
      .catch((e: unknown) => e as Error);
    expect(isRagloomError(error, 'INDEX_CORRUPT')).toBe(true);
    expect(String((error as Error).message)).toContain('checksum');
  });

  it('needs an encoder (INVALID_CONFIG without a dense manifest)', async () => {
    const error = await Promise.resolve()
      .then(() => factory.create({}, context(join(dir, 'd'))))
      .catch((e: unknown) => e as Error);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
  });
});

// What the ragloom app checks when it loads this plugin (export shape, schema naming bad and unknown options by
// path, `create` checking options itself, a v1 retriever built): the published suite every plugin can run.
// The context carries a dense manifest, so a refusal in `create-checks-options` can only come from the options.
describePluginConformance(ragloomPlugin, {
  kind: 'retriever',
  validOptions: { metric: 'dot', fileName: 'conformance.json' },
  invalidOptions: [
    { options: { metric: 'manhattan' }, paths: ['metric'] },
    { options: { fileName: '../escape', metric: 'l2' }, paths: ['fileName'] },
  ],
  context: (storageDir) => pluginTestContext('retriever', storageDir, { denseManifest: manifest }),
});
