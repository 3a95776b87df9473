import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind, PluginContextV1, StandardSchemaV1 } from '@ragloom/core';
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
  it('keeps its index in the folder the host gives it and reopens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-bm25-plugin-'));
    const first = await ragloomPlugin.retriever!.create(
      { analyzer: 'auto' },
      pluginContext('retriever', dir),
    );
    expect(first.manifest).toEqual({ kind: 'sparse', analyzer: expect.stringContaining('auto') });
    await first.upsert([{ id: 'a', text: '北京是中国的首都', metadata: {} }]);
    await first.save!();
    expect(existsSync(join(dir, 'bm25.index'))).toBe(true);
    const again = await ragloomPlugin.retriever!.create(
      { analyzer: 'auto' },
      pluginContext('retriever', dir),
    );
    expect((await again.search({ text: '首都', k: 1 }))[0]?.id).toBe('a');
  });

  it('names bad options by field', async () => {
    expect(await issuesOf(ragloomPlugin.retriever!.optionsSchema, { analyzer: 'klingon', b: 2 })).toEqual([
      'analyzer',
      'b',
    ]);
  });
});
