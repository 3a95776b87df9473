import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRagloomError, type RagloomError } from '@ragloom/core';
import type { DownloadProgressEvent } from '@ragloom/onnx-model';
import { type FakeHub, startFakeHub } from '@ragloom/onnx-model/testing';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOnnxEncoder } from '../src/index.js';

const REPO = 'ragloom-test/tiny-random-bert';
const local = assetPath('models', 'tiny-random-bert');
const onnxSize = statSync(join(local, 'onnx', 'model.onnx')).size;

let hub: FakeHub;
let cacheDir: string;
beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: local });
});
afterAll(() => hub.close());
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'ragloom-encoder-hub-'));
  hub.requests.length = 0;
  hub.lieAboutSha256 = false;
  hub.failWith = undefined;
});
afterEach(() => rm(cacheDir, { recursive: true, force: true }));

const hubOptions = () => ({ cacheDir, endpoint: hub.server.url, env: {}, intraOpNumThreads: 1 });

describe('createOnnxEncoder with a Hugging Face repo id (served by a local hub stand-in)', () => {
  it('downloads with progress, resumes an interrupted transfer, and embeds like the local folder', async () => {
    hub.cutNext('onnx/model.onnx', 2_000_000);
    const events: DownloadProgressEvent[] = [];
    const encoder = await createOnnxEncoder({
      model: REPO,
      ...hubOptions(),
      onProgress: (e) => events.push(e),
    });
    expect(encoder.modelId).toBe(REPO);
    const cdnGets = hub.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/'));
    expect(cdnGets).toHaveLength(2);
    expect(cdnGets[0]!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdnGets[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(2_000_000);
    expect(events.filter((e) => e.file === 'onnx/model.onnx').at(-1)).toMatchObject({
      completed: onnxSize,
      total: onnxSize,
    });

    const fromFolder = await createOnnxEncoder({ model: local, intraOpNumThreads: 1 });
    const texts = ['the cat sat on the mat', '检索增强生成'];
    const a = (await encoder.embed({ texts, inputType: 'document' })).embeddings;
    const b = (await fromFolder.embed({ texts, inputType: 'document' })).embeddings;
    expect(a).toEqual(b);
    await encoder.close();
    await fromFolder.close();

    // Offline afterwards: served from the cache with no request.
    hub.requests.length = 0;
    const offline = await createOnnxEncoder({ model: REPO, ...hubOptions(), offline: true });
    expect(offline.dimension).toBe(64);
    await offline.close();
    expect(hub.requests).toEqual([]);
  });

  it('rejects weights whose sha256 does not match', async () => {
    hub.lieAboutSha256 = true;
    const error = await rejectionOf(createOnnxEncoder({ model: REPO, ...hubOptions() }));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain('onnx/model.onnx');
    const blobs = join(cacheDir, 'models--ragloom-test--tiny-random-bert', 'blobs');
    expect(readdirSync(blobs).filter((f) => f.includes('incomplete'))).toEqual([]);
  });

  it('a dtype the repo lacks names the file and the dtype it has (from the hub file tree)', async () => {
    const error = await rejectionOf(createOnnxEncoder({ model: REPO, ...hubOptions(), dtype: 'q8' }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(
      `onnx/model_quantized.onnx of ${REPO} does not exist; this model has only onnx/model.onnx: set dtype 'fp32'`,
    );
    expect(hub.requests.map((r) => `${r.method} ${r.url}`)).toContain(
      `HEAD /${REPO}/resolve/main/onnx/model_quantized.onnx`,
    );
  });

  it('a missing config.json is still a 404 naming the URL and status', async () => {
    const error = await rejectionOf(
      createOnnxEncoder({ model: 'ragloom-test/no-such-files', ...hubOptions() }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('/ragloom-test/no-such-files/resolve/main/config.json');
  });

  it('offline with nothing cached says which file is missing, without any request', async () => {
    const error = await rejectionOf(
      createOnnxEncoder({ model: REPO, cacheDir, endpoint: hub.server.url, env: { HF_HUB_OFFLINE: '1' } }),
    );
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('config.json');
    expect(hub.requests).toEqual([]);
  });
});
