import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describePluginConformance, optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

describe('ragloomPlugin', () => {
  it('keeps its index in the folder the host gives it and reopens it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-bm25-plugin-'));
    const first = await ragloomPlugin.retriever!.create(
      { analyzer: 'auto' },
      pluginTestContext('retriever', dir),
    );
    expect(first.manifest).toEqual({ kind: 'sparse', analyzer: expect.stringContaining('auto') });
    await first.upsert([{ id: 'a', text: '北京是中国的首都', metadata: {} }]);
    await first.save!();
    expect(existsSync(join(dir, 'bm25.index'))).toBe(true);
    const again = await ragloomPlugin.retriever!.create(
      { analyzer: 'auto' },
      pluginTestContext('retriever', dir),
    );
    expect((await again.search({ text: '首都', k: 1 }))[0]?.id).toBe('a');
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, { analyzer: 'klingon', b: 2 }),
    ).toEqual(['analyzer', 'b']);
  });

  it('takes analyzer settings by type and refuses a misspelt one by its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-bm25-plugin-'));
    const ja = await ragloomPlugin.retriever!.create(
      { analyzer: { type: 'cjk', locale: 'ja', bigrams: 'always' } },
      pluginTestContext('retriever', dir),
    );
    expect(ja.manifest).toEqual({ kind: 'sparse', analyzer: 'cjk-v1(locale=ja,bigrams=always)' });
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, {
        analyzer: { type: 'cjk', bigram: 'always' },
        k1: 0,
      }),
    ).toEqual(['analyzer.bigram', 'k1']);
  });
});

// What the ragloom app checks when it loads this plugin, plus the kit's rules for options.
describePluginConformance(ragloomPlugin, {
  kind: 'retriever',
  validOptions: { analyzer: { type: 'cjk', bigrams: 'always' }, preset: 'lucene' },
  invalidOptions: [
    { options: { analyzer: 'klingon', b: 2 }, paths: ['analyzer', 'b'] },
    { options: { k1: 0 }, paths: ['k1'] },
  ],
});
