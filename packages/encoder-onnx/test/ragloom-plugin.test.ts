import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';

describe('ragloomPlugin', () => {
  it('builds the encoder from config options, resolving the model through the user model path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-encoder-plugin-'));
    const encoder = await ragloomPlugin.encoder!.create(
      { model: 'bow-bert-128' },
      pluginTestContext('encoder', dir, { resolveModel: (ref) => assetPath('models', ref) }),
    );
    expect(encoder.modelId).toBe('bow-bert-128');
    expect(encoder.dimension).toBe(128);
    const { embeddings } = await encoder.embed({ texts: ['a cat on a mat'], inputType: 'query' });
    expect(embeddings[0]!.length).toBe(128);
    await encoder.close?.();
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, {
        model: 'm',
        pooling: 'median',
        extra: 1,
      }),
    ).toEqual(['extra', 'pooling']);
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, { model: 'm', prompts: 'e5' }),
    ).toEqual([]);
    expect(await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, {})).toEqual(['model']);
    // What only code passes (keys, callbacks, the host's cache) is not a config option.
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, {
        model: 'm',
        token: 'hf_x',
        cacheDir: '/tmp',
      }),
    ).toEqual(['token', 'cacheDir']);
  });
});
