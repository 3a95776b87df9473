import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind, PluginContextV1, StandardSchemaV1 } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';
import { API_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

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
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());

describe('ragloomPlugin', () => {
  it('reads the API key from the environment variable the config names', async () => {
    process.env.RAGLOOM_TEST_EMBEDDINGS_KEY = API_KEY;
    const warnings: string[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-openai-plugin-'));
    const encoder = await ragloomPlugin.encoder!.create(
      { model: 'text-embedding-3-small', baseURL: server.url, apiKeyEnv: 'RAGLOOM_TEST_EMBEDDINGS_KEY' },
      pluginContext('encoder', dir, { log: (_level, message) => warnings.push(message) }),
    );
    const { embeddings } = await encoder.embed({ texts: ['hello'], inputType: 'document' });
    expect(embeddings).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('names bad options by field', async () => {
    expect(
      await issuesOf(ragloomPlugin.encoder!.optionsSchema, { model: 'm', apiKey: 'sk-in-config' }),
    ).toEqual(['']);
    expect(
      await issuesOf(ragloomPlugin.encoder!.optionsSchema, { model: 'm', baseURL: 'not a url' }),
    ).toEqual(['baseURL']);
  });
});
