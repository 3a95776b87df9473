import { mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRagloomError } from '@ragloom/core';
import type { DownloadProgressEvent } from '@ragloom/onnx-model';
import { type FakeHub, startFakeHub } from '@ragloom/onnx-model/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxGenerator } from '../src/index.js';
import { storiesDir } from './support/stories.js';

const REPO = 'ragloom-test/stories260k';

describe('a Hugging Face id, through onnx-model, against a local stand-in for the hub', () => {
  let hub: FakeHub;
  let cacheDir: string;
  beforeAll(async () => {
    hub = await startFakeHub({ [REPO]: storiesDir() });
    cacheDir = mkdtempSync(join(tmpdir(), 'ragloom-generator-hub-'));
  });
  afterAll(async () => {
    await hub?.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads once into the cache with progress, generates like the local folder, then works offline', async () => {
    const progress: DownloadProgressEvent[] = [];
    const options = { cacheDir, endpoint: hub.server.url, env: {}, intraOpNumThreads: 1 };
    const online = await createOnnxGenerator(REPO, { ...options, onProgress: (e) => progress.push(e) });
    const local = await createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 });
    try {
      expect(online.modelId).toBe(REPO);
      const request = {
        messages: [{ role: 'user' as const, content: 'Once upon a time,' }],
        maxTokens: 30,
        temperature: 0,
      };
      expect(await online.generate(request)).toEqual(await local.generate(request));
      expect(progress.some((e) => e.file === 'onnx/model.onnx')).toBe(true);
      expect(hub.requests.some((r) => r.url.endsWith('generation_config.json'))).toBe(true);
    } finally {
      await online.close();
      await local.close();
    }

    const served = hub.requests.length;
    const offline = await createOnnxGenerator(REPO, { ...options, offline: true });
    await offline.close();
    expect(hub.requests.length).toBe(served);

    const empty = mkdtempSync(join(tmpdir(), 'ragloom-generator-hub-empty-'));
    try {
      const error = await createOnnxGenerator(REPO, { ...options, cacheDir: empty, offline: true }).catch(
        (e: unknown) => e,
      );
      expect(isRagloomError(error)).toBe(true);
      expect((error as Error).message).toContain('config.json');
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
  });
});
