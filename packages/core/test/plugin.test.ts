import { describe, expect, it } from 'vitest';
import { isRagloomError, ragloomPlugin, requireDenseManifest } from '../src/index.js';
import { pluginContext } from './plugin-context.js';

const context = pluginContext;

describe('plugin helpers', () => {
  it('requireDenseManifest says the config needs an encoder', () => {
    const manifest = { kind: 'dense', encoderModelId: 'm', dimension: 3, metric: 'cosine' } as const;
    expect(requireDenseManifest(context({ denseManifest: manifest }), 'x')).toBe(manifest);
    try {
      requireDenseManifest(context(), '@acme/retriever');
      expect.unreachable();
    } catch (error) {
      expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
      expect((error as Error).message).toContain('"dense" (@acme/retriever)');
    }
  });

  it("core's own plugin builds the reference encoder from validated options", async () => {
    const factory = ragloomPlugin.encoder!;
    expect((await factory.optionsSchema!['~standard'].validate({ dimension: 1 })).issues?.[0]?.path).toEqual([
      'dimension',
    ]);
    const encoder = await factory.create({ dimension: 32 }, context({ kind: 'encoder' }));
    expect(encoder.dimension).toBe(32);
  });
});
