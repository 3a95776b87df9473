import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';
import { API_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

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
      pluginTestContext('encoder', dir, { log: (_level, message) => warnings.push(message) }),
    );
    const { embeddings } = await encoder.embed({ texts: ['hello'], inputType: 'document' });
    expect(embeddings).toHaveLength(1);
    expect(warnings).toEqual([]);
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, { model: 'm', apiKey: 'sk-in-config' }),
    ).toEqual(['apiKey']);
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, { model: 'm', baseURL: 'not a url' }),
    ).toEqual(['baseURL']);
  });

  it('accepts every option the factory takes from a config (normalize, maxInputChars, timeoutMs)', async () => {
    const options = {
      model: 'm',
      dimension: 8,
      normalize: false,
      maxInputChars: 100,
      timeoutMs: 1000,
      prompts: { query: 'q: ' },
    };
    expect(await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, options)).toEqual([]);
    expect(
      await optionIssuePaths(ragloomPlugin.encoder!.optionsSchema, {
        model: 'm',
        maxInputChars: 0,
        timeout: 5,
      }),
    ).toEqual(['timeout', 'maxInputChars']);
  });
});
