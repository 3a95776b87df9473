import { join } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import { parse as parseJsonc } from 'jsonc-parser';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config/config-file.js';
import { CONFIG_PRESETS, configTemplate } from '../src/config/config-template.js';
import { BM25_CONFIG, makeProject } from './helpers/project.js';

describe('config files', () => {
  it('accepts comments and trailing commas, applies defaults and resolves paths against the file', async () => {
    const dir = makeProject(
      {},
      `// a comment\n{\n  "dataDir": "./state", // trailing comment\n  "retrievers": [{ "name": "bm25", "use": "@ragloom/retriever-bm25" },],\n}\n`,
    );
    const loaded = await loadConfig({ cwd: join(dir), env: {} });
    expect(loaded.dataDir).toBe(join(dir, 'state'));
    expect(loaded.config.retrieval).toEqual({ topK: 5, candidateK: 20, fusion: 'rrf', rrfK: 60 });
    expect(loaded.config.server.port).toBe(8787);
    expect(loaded.modelsPath).toBeUndefined();
  });

  it('finds the config in a parent folder, and RAGLOOM_MODELS overrides models.path', async () => {
    const dir = makeProject({ 'sub/deeper/.keep': '' }, { ...BM25_CONFIG, models: { path: './models' } });
    const fromFile = await loadConfig({ cwd: join(dir, 'sub', 'deeper'), env: {} });
    expect(fromFile.path).toBe(join(dir, 'ragloom.config.json'));
    expect(fromFile.modelsPath).toBe(join(dir, 'models'));
    const fromEnv = await loadConfig({ cwd: dir, env: { RAGLOOM_MODELS: '/opt/models' } });
    expect(fromEnv.modelsPath).toBe('/opt/models');
  });

  it('names every wrong field with its path and its line in the file', async () => {
    const dir = makeProject(
      {},
      '{\n  "retrievers": [\n    { "name": "bm25", "use": "@ragloom/retriever-bm25" },\n    { "name": "has space", "use": 7 }\n  ],\n  "chunker": { "chunkSize": 100, "chunkOverlap": 200 },\n  "colour": true\n}\n',
    );
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    const text = String(error.message);
    expect(text).toMatch(/ragloom\.config\.json:4:\d+ retrievers\[1\]\.name: letters, digits/);
    expect(text).toMatch(/ragloom\.config\.json:4:\d+ retrievers\[1\]\.use: /);
    expect(text).toMatch(/:6:\d+ chunker\.chunkOverlap: chunkOverlap must be smaller than chunkSize/);
    expect(text).toContain('colour');
  });

  it('names an unknown key at its own line, with the valid keys there and the closest one', async () => {
    const dir = makeProject(
      {},
      '{\n  "retrievers": [{ "name": "bm25", "use": "@ragloom/retriever-bm25" }],\n  "chunker": { "type": "markdown", "chunkSze": 800 },\n  "retreival": {}\n}\n',
    );
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    const text = String(error.message);
    expect(text).toMatch(
      /ragloom\.config\.json:3:36 chunker\.chunkSze: unknown key \(did you mean "chunkSize"\?\); valid keys here: type, chunkSize, chunkOverlap/,
    );
    expect(text).toMatch(
      /ragloom\.config\.json:4:3 retreival: unknown key \(did you mean "retrieval"\?\); valid keys here: .*retrievers.*generation/,
    );
    expect(error.details.problems).toHaveLength(2);
  });

  it('reports broken JSON with line and column', async () => {
    const dir = makeProject({}, '{\n  "retrievers": [\n}\n');
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(String(error.message)).toMatch(/ragloom\.config\.json:3:1 /);
  });

  it('says how to start when there is no config at all', async () => {
    const dir = makeProject({});
    const error = await loadConfig({ cwd: dir, env: {} }).catch((e) => e);
    expect(isRagloomError(error, 'INVALID_CONFIG')).toBe(true);
    expect(String(error.message)).toContain('ragloom init');
    const explicit = await loadConfig({ cwd: dir, path: 'nope.json', env: {} }).catch((e) => e);
    expect(String(explicit.message)).toContain('nope.json does not exist');
  });

  it('writes templates that are valid configs', () => {
    for (const preset of CONFIG_PRESETS) {
      const config = parseConfig(parseJsonc(configTemplate(preset)), preset);
      expect(config.retrievers.length).toBeGreaterThan(0);
    }
  });

  it('the openai preset shows every option a user must set, and the adapters accept them', async () => {
    const config = parseConfig(parseJsonc(configTemplate('openai')), 'openai');
    const encoder = (await import('@ragloom/encoder-openai')).ragloomPlugin.encoder!;
    const generator = (await import('@ragloom/generator-openai')).ragloomPlugin.generator!;
    for (const [reference, factory] of [
      [config.encoder, encoder],
      [config.generator, generator],
    ] as const) {
      expect(reference!.options).toEqual({
        baseURL: 'https://api.openai.com/v1',
        model: expect.any(String),
        apiKeyEnv: 'OPENAI_API_KEY',
      });
      const result = await factory.optionsSchema!['~standard'].validate(reference!.options);
      expect(result.issues).toBeUndefined();
    }
  });
});
