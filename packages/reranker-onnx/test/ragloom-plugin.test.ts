import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

describe('ragloomPlugin', () => {
  it('builds the reranker from config options, resolving the model through the user model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-reranker-plugin-'));
    const reranker = await ragloomPlugin.reranker!.create(
      { model: 'tiny-random-cross-encoder', activation: 'sigmoid' },
      pluginTestContext('reranker', dir, { resolveModel: (ref) => assetPath('models', ref) }),
    );
    expect(reranker.modelId).toBe('tiny-random-cross-encoder');
    const results = await reranker.rerank({ query: 'berlin', documents: ['Berlin is big.', 'Paris.'] });
    expect(results).toHaveLength(2);
    for (const r of results) expect(r.score > 0 && r.score < 1).toBe(true);
    await reranker.close?.();
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.reranker!.optionsSchema, { model: 'm', activation: 'softmax' }),
    ).toEqual(['activation']);
  });
});
