import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ragloomPlugin } from '../src/index.js';
import { type FakeOpenAIServer, startFakeOpenAIServer } from './support/fake-openai-server.js';

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
      pluginTestContext('generator', dir),
    );
    const result = await generator.generate({ messages: [{ role: 'user', content: 'hi' }], maxTokens: 3 });
    expect(result.usage.completionTokens).toBe(3);
  });

  it('names bad options by field', async () => {
    expect(
      await optionIssuePaths(ragloomPlugin.generator!.optionsSchema, {
        model: 'm',
        maxTokensField: 'tokens',
      }),
    ).toEqual(['maxTokensField']);
  });
});
