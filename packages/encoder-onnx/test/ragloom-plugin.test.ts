import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind, PluginContextV1, StandardSchemaV1 } from '@ragloom/core';
import { assetPath } from '@ragloom/test-utils';
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

describe('ragloomPlugin', () => {
  it('builds the encoder from config options, resolving the model through the user model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-encoder-plugin-'));
    const encoder = await ragloomPlugin.encoder!.create(
      { model: 'bow-bert-128' },
      pluginContext('encoder', dir, { resolveModel: (ref) => assetPath('models', ref) }),
    );
    expect(encoder.modelId).toBe('bow-bert-128');
    expect(encoder.dimension).toBe(128);
    const { embeddings } = await encoder.embed({ texts: ['a cat on a mat'], inputType: 'query' });
    expect(embeddings[0]!.length).toBe(128);
    await encoder.close?.();
  });

  it('names bad options by field', async () => {
    expect(
      await issuesOf(ragloomPlugin.encoder!.optionsSchema, { model: 'm', pooling: 'median', extra: 1 }),
    ).toEqual(expect.arrayContaining(['pooling', '']));
    expect(await issuesOf(ragloomPlugin.encoder!.optionsSchema, { model: 'm', prompts: 'e5' })).toEqual([]);
    expect(await issuesOf(ragloomPlugin.encoder!.optionsSchema, {})).toEqual(['model']);
  });
});
