import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

describe('ragloomPlugin', () => {
  it('builds the generator from config options, resolving the model through the user model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-generator-plugin-'));
    const generator = await ragloomPlugin.generator!.create(
      { model: 'stories260k' },
      pluginTestContext('generator', dir, { resolveModel: (ref) => assetPath('models', ref) }),
    );
    expect(generator.modelId).toBe('stories260k');
    const result = await generator.generate({
      messages: [{ role: 'user', content: 'Once upon a time' }],
      maxTokens: 5,
    });
    expect(result.usage.completionTokens).toBe(5);
    await generator.close?.();
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.generator!.optionsSchema, { model: 'm', contextOverflow: 'drop' }),
    ).toEqual(['contextOverflow']);
    expect(
      await optionIssuePaths(ragloomPlugin.generator!.optionsSchema, {
        model: 'm',
        promptLookup: { maxDraftTokens: 6 },
        chatTemplate: 'plain',
      }),
    ).toEqual([]);
    expect(
      await optionIssuePaths(ragloomPlugin.generator!.optionsSchema, {
        model: 'm',
        token: 'hf_x',
        maxTokens: 0,
      }),
    ).toEqual(['token', 'maxTokens']);
  });
});
