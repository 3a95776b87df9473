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
  it('builds the reranker from config options, resolving the model through the user model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-reranker-plugin-'));
    const reranker = await ragloomPlugin.reranker!.create(
      { model: 'tiny-random-cross-encoder', activation: 'sigmoid' },
      pluginContext('reranker', dir, { resolveModel: (ref) => assetPath('models', ref) }),
    );
    expect(reranker.modelId).toBe('tiny-random-cross-encoder');
    const results = await reranker.rerank({ query: 'berlin', documents: ['Berlin is big.', 'Paris.'] });
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.score > 0 && r.score < 1).toBe(true);
    await reranker.close?.();
  });

  it('names bad options by field', async () => {
    expect(
      await issuesOf(ragloomPlugin.reranker!.optionsSchema, { model: 'm', activation: 'softmax' }),
    ).toEqual(['activation']);
  });
});
