import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ComponentKind,
  isRagloomError,
  type PluginContextV1,
  type StandardSchemaV1,
} from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

/** The context a host (the ragloom app) passes to plugin factories: plain data, as the app builds it. */
function pluginContext(
  kind: ComponentKind,
  storageDir: string,
  extra: Partial<PluginContextV1> = {},
): PluginContextV1 {
  return {
    kind,
    name: kind,
    configDir: storageDir,
    storageDir,
    resolveModel: (ref) => ref,
    hub: { offline: true },
    log: () => {},
    ...extra,
  };
}

async function issuesOf(schema: StandardSchemaV1 | undefined, value: unknown): Promise<string[]> {
  const result = await schema!['~standard'].validate(value);
  return (result.issues ?? []).map((i) =>
    (i.path ?? []).map((p) => String(typeof p === 'object' ? p.key : p)).join('.'),
  );
}

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;

describe('ragloomPlugin', () => {
  it('builds its manifest from the host encoder and keeps the index in the folder it is given', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-plugin-'));
    const first = await ragloomPlugin.retriever!.create(
      { M: 8 },
      pluginContext('retriever', dir, { denseManifest }),
    );
    expect(first.manifest).toEqual(denseManifest);
    await first.upsert([{ id: 'a', text: 'a', vector: [1, 0, 0] }]);
    await first.save!();
    expect(existsSync(join(dir, 'hnsw.index'))).toBe(true);
    const again = await ragloomPlugin.retriever!.create(
      {},
      pluginContext('retriever', dir, { denseManifest }),
    );
    expect((await again.search({ vector: [1, 0, 0], k: 1 }))[0]?.id).toBe('a');
  });

  it('needs an encoder, and names bad options by field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-hnsw-plugin-'));
    const error = await Promise.resolve()
      .then(() => ragloomPlugin.retriever!.create({}, pluginContext('retriever', dir)))
      .catch((e: unknown) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(await issuesOf(ragloomPlugin.retriever!.optionsSchema, { M: 1, kernel: 'gpu' })).toEqual([
      'M',
      'kernel',
    ]);
  });
});
