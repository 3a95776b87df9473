import { describe, expect, it } from 'vitest';
import {
  createOptionsSchema,
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

describe('createOptionsSchema', () => {
  const schema = createOptionsSchema({
    M: { type: 'integer', min: 2, max: 256 },
    ratio: { type: 'number', min: 0, max: 1 },
    kernel: { type: 'enum', values: ['js', 'wasm'] },
    name: { type: 'string', required: true, pattern: /^[a-z]+$/ },
    fast: { type: 'boolean' },
  });
  const issues = async (value: unknown) =>
    ((await schema['~standard'].validate(value)).issues ?? []).map(
      (i) => `${i.path?.join('.')}: ${i.message}`,
    );

  it('accepts valid options and returns them', async () => {
    const options = { M: 16, ratio: 0.5, kernel: 'js', name: 'abc', fast: true };
    expect(await schema['~standard'].validate(options)).toEqual({ value: options });
  });

  it('names every bad field, unknown keys included', async () => {
    expect(await issues({ M: 1.5, ratio: 2, kernel: 'gpu', name: 'ABC', fast: 'yes', typo: 1 })).toEqual([
      'typo: unknown option "typo"',
      'M: expected an integer',
      'ratio: must be at most 1',
      'kernel: expected one of "js", "wasm"',
      'name: must match /^[a-z]+$/',
      'fast: expected true or false',
    ]);
    expect(await issues({})).toEqual(['name: required']);
    expect(await issues([1])).toEqual(['undefined: expected an object']);
  });
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
