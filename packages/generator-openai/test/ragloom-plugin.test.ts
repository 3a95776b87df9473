import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind, PluginContextV1, StandardSchemaV1 } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './support/fake-openai-server.js';

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

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer({ apiKey: 'sk-plugin-test' });
});
afterAll(() => server.close());

describe('ragloomPlugin', () => {
  it('reads the API key from the environment variable the config names', async () => {
    process.env.RAGLOOM_TEST_CHAT_KEY = 'sk-plugin-test';
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-openai-plugin-'));
    const generator = await ragloomPlugin.generator!.create(
      { model: 'fake-model', baseURL: server.baseURL, apiKeyEnv: 'RAGLOOM_TEST_CHAT_KEY' },
      pluginContext('generator', dir),
    );
    const result = await generator.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 3 });
    expect(result.usage.completionTokens).toBe(3);
  });

  it('names bad options by field', async () => {
    expect(
      await issuesOf(ragloomPlugin.generator!.optionsSchema, { model: 'm', maxTokensField: 'tokens' }),
    ).toEqual(['maxTokensField']);
  });
});
