import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { loadPlugin } from '../src/plugins/load-plugin.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { APP_DIR, FIXTURE_PLUGINS, makeProject } from './helpers/project.js';

const hashing = { use: '@ragloom/core', options: { dimension: 32 } };

async function open(config: Parameters<typeof makeProject>[1], files: Record<string, string> = {}) {
  const dir = makeProject(files, config);
  return openRuntime(await loadConfig({ cwd: dir, env: {} }));
}

describe('plugins', () => {
  it('loads the third-party plugin template from node_modules beside the config and runs a pipeline on it', async () => {
    const dir = makeProject(
      { 'docs/a.md': 'The flat retriever stores vectors in a checksummed file.\n' },
      {
        encoder: hashing,
        retrievers: [{ name: 'flat', use: 'ragloom-plugin-template', options: { metric: 'dot' } }],
      },
    );
    // Installed next to the config, as a user would (npm install ragloom-plugin-template).
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(
      join(APP_DIR, 'node_modules', 'ragloom-plugin-template'),
      join(dir, 'node_modules', 'ragloom-plugin-template'),
    );
    const loaded = await loadConfig({ cwd: dir, env: {} });
    const plugin = await loadPlugin('ragloom-plugin-template', { configDir: dir });
    expect(plugin.module.packageDir).toBe(join(dir, 'node_modules', 'ragloom-plugin-template'));

    const runtime = await openRuntime(loaded, { access: 'write' });
    expect(runtime.retrievers[0]!.retriever.provider).toBe('flat');
    expect(runtime.retrievers[0]!.retriever.manifest).toEqual({
      kind: 'dense',
      encoderModelId: 'ragloom/hashing-32',
      dimension: 32,
      metric: 'dot',
    });
    await runtime.pipeline.ingest([
      { id: 'a', text: 'The flat retriever stores vectors in a checksummed file.' },
    ]);
    const [hit] = await runtime.pipeline.retrieve('checksummed vectors');
    expect(hit!.documentId).toBe('a');
    await runtime.close();
  });

  it('validates plugin options with the plugin schema and names the config path', async () => {
    const error = await open({
      encoder: hashing,
      retrievers: [{ name: 'flat', use: 'ragloom-plugin-template', options: { metric: 'manhattan' } }],
    }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(String(error.message)).toContain(
      'retrievers[0].options.metric: expected one of "cosine", "dot", "l2", got "manhattan"',
    );

    const zodError = await open({
      retrievers: [
        { name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'klingon', k1: -1 } },
      ],
    }).catch((e) => e);
    expect(isRagloomError(zodError, 'INVALID_CONFIG')).toBe(true);
    expect(String(zodError.message)).toContain('retrievers[0].options.analyzer');
    expect(String(zodError.message)).toContain('retrievers[0].options.k1');
  });

  it('refuses an unknown package, saying how to install it', async () => {
    const error = await open({ retrievers: [{ name: 'x', use: '@acme/no-such-retriever' }] }).catch((e) => e);
    expect(isRagloomError(error, 'PLUGIN_ERROR')).toBe(true);
    expect(String(error.message)).toContain('cannot find the plugin package "@acme/no-such-retriever"');
    expect(String(error.message)).toContain('npm install @acme/no-such-retriever');
  });

  it('refuses a plugin of another specification version', async () => {
    const error = await open({
      retrievers: [{ name: 'x', use: join(FIXTURE_PLUGINS, 'wrong-version') }],
    }).catch((e) => e);
    expect(isRagloomError(error, 'PLUGIN_ERROR')).toBe(true);
    expect(String(error.message)).toContain('specificationVersion "v2"');
  });

  it('refuses a package that is not a plugin, and a plugin that builds the wrong shape', async () => {
    const notPlugin = await open({
      retrievers: [{ name: 'x', use: join(FIXTURE_PLUGINS, 'not-a-plugin') }],
    }).catch((e) => e);
    expect(isRagloomError(notPlugin, 'PLUGIN_ERROR')).toBe(true);
    expect(String(notPlugin.message)).toContain('exports no `ragloomPlugin`');

    const badShape = await open({
      retrievers: [{ name: 'x', use: join(FIXTURE_PLUGINS, 'bad-shape.mjs') }],
    }).catch((e) => e);
    expect(isRagloomError(badShape, 'PLUGIN_ERROR')).toBe(true);
    expect(String(badShape.message)).toContain('method search() is missing');

    const wrongKind = await open({
      encoder: { use: '@ragloom/retriever-bm25' },
      retrievers: [{ name: 'b', use: '@ragloom/retriever-bm25' }],
    }).catch((e) => e);
    expect(isRagloomError(wrongKind, 'PLUGIN_ERROR')).toBe(true);
    expect(String(wrongKind.message)).toContain('provides retriever, not a encoder');
  });

  it('refuses to open an index with an encoder other than the one that built it (MANIFEST_MISMATCH)', async () => {
    const dir = makeProject(
      {},
      { encoder: hashing, retrievers: [{ name: 'dense', use: '@ragloom/retriever-hnsw' }] },
    );
    const first = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { access: 'write' });
    await first.pipeline.ingest([{ id: 'a', text: 'some text to index' }]);
    await first.close();
    const changed = makeProject(
      {},
      {
        encoder: { use: '@ragloom/core', options: { dimension: 48 } },
        retrievers: [{ name: 'dense', use: '@ragloom/retriever-hnsw' }],
        dataDir: join(dir, '.ragloom'),
      },
    );
    const error = await openRuntime(await loadConfig({ cwd: changed, env: {} })).catch((e) => e);
    expect(isRagloomError(error, 'MANIFEST_MISMATCH')).toBe(true);
    expect(String(error.message)).toContain('ragloom/hashing-32');
  });
});
