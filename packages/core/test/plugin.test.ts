import { describe, expect, it } from 'vitest';
import {
  isRagloomError,
  type PluginContextV1,
  ragloomPlugin,
  requireDenseManifest,
  withApiKeyFromEnv,
} from '../src/index.js';

const context = (extra: Partial<PluginContextV1> = {}): PluginContextV1 => ({
  kind: 'retriever',
  name: 'dense',
  configDir: '/tmp',
  storageDir: '/tmp/dense',
  resolveModel: (ref) => ref,
  hub: { offline: true },
  log: () => {},
  ...extra,
});

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

  it('withApiKeyFromEnv reads the named variable and warns when it is unset', () => {
    process.env.RAGLOOM_TEST_KEY = 'sk-123';
    expect(withApiKeyFromEnv({ model: 'm', apiKeyEnv: 'RAGLOOM_TEST_KEY' }, context())).toEqual({
      model: 'm',
      apiKey: 'sk-123',
    });
    const warnings: string[] = [];
    const out = withApiKeyFromEnv(
      { model: 'm' },
      context({ log: (_l, m) => warnings.push(m) }),
      'RAGLOOM_UNSET_KEY',
    );
    expect(out).toEqual({ model: 'm', apiKey: undefined });
    expect(warnings[0]).toContain('RAGLOOM_UNSET_KEY');
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
