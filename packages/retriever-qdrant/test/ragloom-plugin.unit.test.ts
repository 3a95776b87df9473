// Unit tests (no Qdrant server needed): the plugin's option schema, and that it checks the server at startup.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePluginConformance, optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { isRagloomError } from '@ragloom/core';
import { closedPort } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;

describe('ragloomPlugin', () => {
  it('connects at startup, so an unreachable server is reported before the first query', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-qdrant-plugin-'));
    const error = await Promise.resolve()
      .then(() =>
        ragloomPlugin.retriever!.create(
          { url, collection: 'docs' },
          pluginTestContext('retriever', dir, { denseManifest }),
        ),
      )
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'CONNECTION_ERROR')).toBe(true);
    expect((error as Error).message).toContain('127.0.0.1');
  });

  it('needs an encoder, and names bad options by field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-qdrant-plugin-'));
    const error = await Promise.resolve()
      .then(() =>
        ragloomPlugin.retriever!.create({ collection: 'docs' }, pluginTestContext('retriever', dir)),
      )
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, { url: 'nope', metric: 'manhattan' }),
    ).toEqual(['url', 'collection', 'metric']);
    // The factory's settings a config may set, and code-only ones it may not (keys live in apiKeyEnv).
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, {
        collection: 'docs',
        batchSize: 64,
        concurrency: 4,
        wait: false,
        hybrid: { fusion: 'dbsf', prefetchLimit: 100 },
      }),
    ).toEqual([]);
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, {
        collection: 'docs',
        apiKey: 'secret',
        batchSize: 0,
        hybrid: { fusion: 'max' },
      }),
    ).toEqual(['apiKey', 'batchSize', 'hybrid.fusion']);
  });

  it('create checks the options itself too (a host that skips the schema gets the same INVALID_CONFIG)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-qdrant-plugin-'));
    const error = await Promise.resolve()
      .then(() =>
        ragloomPlugin.retriever!.create(
          { collection: 'docs', batchSize: -1 } as never,
          pluginTestContext('retriever', dir, { denseManifest }),
        ),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { issues: [{ path: 'batchSize' }] } });
  });
});

// What the ragloom app checks when it loads this plugin, plus the kit's rules for options. Building the
// component connects to Qdrant, so that test runs only with a server (QDRANT_URL, as the integration tests).
const qdrantUrl = process.env.QDRANT_URL;
describePluginConformance(ragloomPlugin, {
  kind: 'retriever',
  validOptions: {
    ...(qdrantUrl ? { url: qdrantUrl } : {}),
    collection: `ragloom_plugin_conformance_${process.pid}`,
    hybrid: { fusion: 'dbsf', prefetchLimit: 100 },
  },
  invalidOptions: [
    {
      options: { collection: 'docs', batchSize: 0, hybrid: { fusion: 'max' } },
      paths: ['batchSize', 'hybrid.fusion'],
    },
    { options: { url: 'nope', metric: 'manhattan' }, paths: ['url', 'collection', 'metric'] },
    { options: { collection: 'docs', apiKey: 'secret' }, paths: ['apiKey'] },
  ],
  context: (dir) =>
    pluginTestContext('retriever', dir, {
      denseManifest: { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' },
    }),
  destroy: async (retriever) => {
    await (retriever as { dropCollection(): Promise<void> }).dropCollection();
  },
  skip: qdrantUrl ? {} : { 'builds-component': 'needs a Qdrant server: set QDRANT_URL' },
});
