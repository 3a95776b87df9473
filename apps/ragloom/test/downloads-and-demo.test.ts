import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeHub } from '@ragloom/onnx-model/testing';
import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { checkHub, DEFAULT_ENCODER, DEFAULT_GENERATOR, planDemo } from '../src/demo/demo-setup.js';
import { committedFile, DOCS, makeProject, runCli } from './helpers/project.js';

describe('model downloads (against a local stand-in for the Hugging Face hub)', () => {
  it('downloads a model by hub id once, with a progress bar, into the HF cache; the next run uses the cache', async () => {
    const hub = await startFakeHub({ 'acme/bow-bert-128': assetPath('models', 'bow-bert-128') });
    try {
      const cache = mkdtempSync(join(tmpdir(), 'ragloom-hf-cache-'));
      const dir = makeProject(DOCS, {
        encoder: { use: '@ragloom/encoder-onnx', options: { model: 'acme/bow-bert-128' } },
        retrievers: [{ name: 'dense', use: '@ragloom/retriever-hnsw' }],
      });
      const env = { HF_ENDPOINT: hub.server.url, HF_HUB_CACHE: cache, HF_HUB_OFFLINE: undefined };
      const first = await runCli(['ingest', 'docs'], { cwd: dir, env });
      expect(first.code, first.stderr).toBe(0);
      expect(first.stderr).toMatch(/downloaded onnx\/model\.onnx/);
      expect(first.stderr).toMatch(/downloaded tokenizer\.json/);
      expect(existsSync(join(cache, 'models--acme--bow-bert-128'))).toBe(true);
      const downloads = hub.requests.filter((r) => r.url.includes('/cdn/')).length;
      expect(downloads).toBeGreaterThan(0);

      // Offline now: the cache is enough, and nothing is fetched again.
      const again = await runCli(['query', 'server port', '--json'], {
        cwd: dir,
        env: { ...env, HF_HUB_OFFLINE: '1' },
      });
      expect(again.code, again.stderr).toBe(0);
      expect(JSON.parse(again.stdout).hits[0].source).toBe('docs/server.md');
      expect(hub.requests.filter((r) => r.url.includes('/cdn/')).length).toBe(downloads);
    } finally {
      await hub.close();
    }
  });

  it('reports a model that is neither local nor cached when offline, with the file it needs', async () => {
    const dir = makeProject(DOCS, {
      encoder: { use: '@ragloom/encoder-onnx', options: { model: 'acme/not-downloaded' } },
      retrievers: [{ name: 'dense', use: '@ragloom/retriever-hnsw' }],
      models: { offline: true },
    });
    const result = await runCli(['ingest', 'docs'], {
      cwd: dir,
      env: { HF_HUB_CACHE: mkdtempSync(join(tmpdir(), 'hf-')) },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/error \[MODEL_NOT_FOUND\].*acme\/not-downloaded/);
  });
});

describe('the demo picks its mode from what is available', () => {
  it('uses local models from the model folder, preferring the defaults and else any encoder / causal LM', () => {
    const plan = planDemo({ modelsPath: assetPath('models'), hubReachable: false, hubCheck: 'not checked' });
    expect(plan.mode).toBe('local-models');
    expect(plan.encoder).toBe('bow-bert-128'); // no all-MiniLM-L6-v2 there: the first encoder folder
    expect(plan.generator).toBe('stories260k');
    expect(plan.config.retrievers.map((r) => r.use)).toEqual([
      '@ragloom/retriever-bm25',
      '@ragloom/retriever-hnsw',
    ]);
    expect(plan.config.models).toEqual({ path: assetPath('models') });
  });

  it('uses the default hub models when the hub answers, and BM25 + extractive when nothing is available', () => {
    const hub = planDemo({ hubReachable: true, hubCheck: 'reachable' });
    expect([hub.mode, hub.encoder, hub.generator]).toEqual(['hub', DEFAULT_ENCODER, DEFAULT_GENERATOR]);
    const offline = planDemo({
      hubReachable: false,
      hubCheck: 'https://huggingface.co is unreachable (ENOTFOUND)',
    });
    expect(offline.mode).toBe('offline');
    expect(offline.config.encoder).toBeUndefined();
    expect(offline.config.generator).toBeUndefined();
    expect(offline.why).toContain('unreachable (ENOTFOUND)');
    const empty = planDemo({
      modelsPath: mkdtempSync(join(tmpdir(), 'no-models-')),
      hubReachable: false,
      hubCheck: '',
    });
    expect(empty.mode).toBe('offline');
  });

  it('checks the hub through its resolve endpoint, and honours HF_HUB_OFFLINE', async () => {
    const hub = await startFakeHub({ [DEFAULT_ENCODER]: assetPath('models', 'bow-bert-128') });
    try {
      expect((await checkHub({ HF_ENDPOINT: hub.server.url })).reachable).toBe(true);
      expect(await checkHub({ HF_ENDPOINT: hub.server.url, HF_HUB_OFFLINE: '1' })).toEqual({
        reachable: false,
        message: 'HF_HUB_OFFLINE is set',
      });
    } finally {
      await hub.close();
    }
    const closed = await checkHub({ HF_ENDPOINT: 'http://127.0.0.1:9' });
    expect(closed.reachable).toBe(false);
    expect(closed.message).toContain('unreachable');
  });

  it('runs end to end offline: ingests the sample docs and answers with citations', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'demo-'));
    const env = { HF_HUB_OFFLINE: '1', TMPDIR: tmp };
    const question = ['demo', '--question', 'What happens if I press Ctrl-C during ingest?'];
    const result = await runCli(question, { cwd: tmpdir(), env });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('mode: offline');
    expect(result.stdout).toContain('retrieval: lexical: bm25');
    expect(result.stdout).toContain('Pressing Ctrl-C during an ingest is safe. [1]');
    expect(result.stdout).toMatch(
      /\[1\] corpus\/ingest\.md:\d+ {2}"Pressing Ctrl-C during an ingest is safe\."/,
    );

    // Its index is a cache: one left by another version is rebuilt, not a reason to fail.
    writeFileSync(
      committedFile(join(tmp, 'ragloom-demo', 'offline'), 'bm25', 'bm25.index'),
      'from another version',
    );
    const again = await runCli(question, { cwd: tmpdir(), env });
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain('warning rebuilding the demo index');
    expect(again.stdout).toContain('mode: offline');
    expect(again.stderr).toContain('ingested the sample docs: 7 files indexed');
  });
});
