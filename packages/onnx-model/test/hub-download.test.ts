import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  truncateSync,
} from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type DownloadProgressEvent,
  loadOnnxModel,
  openModelSource,
  repoCachePaths,
  resolveHubFile,
} from '../src/index.js';
import { FAKE_COMMIT, type FakeHub, startFakeHub } from '../src/testing/fake-hub.js';

const REPO = 'test-org/tiny-random-bert';
const modelDir = assetPath('models', 'tiny-random-bert');
const onnxBytes = readFileSync(join(modelDir, 'onnx', 'model.onnx'));
const onnxSha = createHash('sha256').update(onnxBytes).digest('hex');

let hub: FakeHub;
let cacheDir: string;
const opts = () => ({ cacheDir, endpoint: hub.server.url, env: {} });

beforeAll(async () => {
  hub = await startFakeHub({ [REPO]: modelDir });
});
afterAll(() => hub.close());
beforeEach(() => {
  cacheDir = mkdtempSync(join(tmpdir(), 'ragloom-hub-'));
  hub.requests.length = 0;
  hub.lieAboutSha256 = false;
  hub.failWith = undefined;
});
afterEach(() => rm(cacheDir, { recursive: true, force: true }));

describe('hub downloads into the Hugging Face cache layout', () => {
  it('downloads a model once, with progress, verified, then serves it from the cache', async () => {
    const events: DownloadProgressEvent[] = [];
    const model = await loadOnnxModel(REPO, { ...opts(), onProgress: (e) => events.push(e) });
    expect(model.graph.inputs.map((i) => i.name)).toEqual(['input_ids', 'attention_mask', 'token_type_ids']);
    await model.close();

    const paths = repoCachePaths(cacheDir, REPO);
    expect(readFileSync(paths.ref('main'), 'utf8')).toBe(FAKE_COMMIT);
    const snapshotOnnx = paths.snapshot(FAKE_COMMIT, 'onnx/model.onnx');
    expect(lstatSync(snapshotOnnx).isSymbolicLink()).toBe(true);
    expect(readlinkSync(snapshotOnnx)).toBe(join('..', '..', '..', 'blobs', onnxSha));
    expect(readFileSync(snapshotOnnx).equals(onnxBytes)).toBe(true);
    // generation_config.json does not exist: remembered as in huggingface_hub
    expect(existsSync(paths.noExist(FAKE_COMMIT, 'generation_config.json'))).toBe(true);
    expect(readdirSync(paths.blobs).some((f) => f.endsWith('.incomplete'))).toBe(false);

    const onnxEvents = events.filter((e) => e.file === 'onnx/model.onnx');
    expect(onnxEvents.length).toBeGreaterThan(1);
    expect(onnxEvents.at(-1)).toMatchObject({
      phase: 'download',
      completed: onnxBytes.length,
      total: onnxBytes.length,
    });
    for (let i = 1; i < onnxEvents.length; i++) {
      expect(onnxEvents[i]!.completed).toBeGreaterThanOrEqual(onnxEvents[i - 1]!.completed);
    }

    // Second load: metadata requests only, no body transferred again.
    hub.requests.length = 0;
    const again = await loadOnnxModel(REPO, opts());
    await again.close();
    expect(hub.requests.filter((r) => r.method === 'GET')).toEqual([]);

    // Offline: no request at all.
    hub.requests.length = 0;
    const offline = await loadOnnxModel(REPO, { ...opts(), offline: true });
    await offline.close();
    expect(hub.requests).toEqual([]);
  });

  it('fetches a cached file again when its size no longer matches the hub', async () => {
    const path = await resolveHubFile(REPO, 'onnx/model.onnx', opts());
    truncateSync(path!, 1000);
    hub.requests.length = 0;
    const again = await resolveHubFile(REPO, 'onnx/model.onnx', opts());
    expect(hub.requests.some((r) => r.method === 'GET' && r.url.startsWith('/cdn/'))).toBe(true);
    expect(readFileSync(again!).equals(onnxBytes)).toBe(true);
  });

  it('honours HF_HOME, HF_ENDPOINT and HF_HUB_OFFLINE from the environment', async () => {
    const env = { HF_HOME: cacheDir, HF_ENDPOINT: hub.server.url };
    const path = await resolveHubFile(REPO, 'config.json', { env });
    expect(path).toBe(
      join(cacheDir, 'hub', `models--test-org--tiny-random-bert`, 'snapshots', FAKE_COMMIT, 'config.json'),
    );
    hub.requests.length = 0;
    const error = await rejectionOf(
      resolveHubFile(REPO, 'tokenizer.json', { env: { ...env, HF_HUB_OFFLINE: '1' } }),
    );
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('tokenizer.json');
    expect(error.message).toContain('offline');
    expect(hub.requests).toEqual([]);
  });

  it('stores plain files when symlinks are off (the symlink-free layout)', async () => {
    const path = await resolveHubFile(REPO, 'onnx/model.onnx', { ...opts(), symlinks: false });
    expect(path).toBeDefined();
    expect(lstatSync(path!).isSymbolicLink()).toBe(false);
    expect(readFileSync(path!).equals(onnxBytes)).toBe(true);
    // offline lookups find it as well
    expect(await resolveHubFile(REPO, 'onnx/model.onnx', { ...opts(), offline: true })).toBe(path);
  });

  it('resumes an interrupted transfer with an HTTP Range request', async () => {
    const cut = 3_000_000;
    hub.cutNext('onnx/model.onnx', cut);
    const error = await rejectionOf(resolveHubFile(REPO, 'onnx/model.onnx', { ...opts(), maxRetries: 0 }));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    const partial = `${repoCachePaths(cacheDir, REPO).blob(onnxSha)}.incomplete`;
    // Bytes still buffered in the HTTP client when the socket dies are lost, so up to `cut` arrived.
    const kept = statSync(partial).size;
    expect(kept).toBeGreaterThan(0);
    expect(kept).toBeLessThanOrEqual(cut);

    hub.requests.length = 0;
    const path = await resolveHubFile(REPO, 'onnx/model.onnx', { ...opts(), maxRetries: 0 });
    expect(hub.requests.find((r) => r.method === 'GET' && r.url.startsWith('/cdn/'))?.range).toBe(
      `bytes=${kept}-`,
    );
    expect(createHash('sha256').update(readFileSync(path!)).digest('hex')).toBe(onnxSha);
    expect(existsSync(partial)).toBe(false);
  });

  it('retries a broken transfer within one call, continuing where it stopped', async () => {
    hub.cutNext('onnx/model.onnx', 1_000_000);
    const path = await resolveHubFile(REPO, 'onnx/model.onnx', opts());
    const gets = hub.requests.filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/'));
    expect(gets).toHaveLength(2);
    expect(gets[0]!.range).toBeUndefined();
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(gets[1]!.range ?? '')?.[1]);
    expect(resumedAt).toBeGreaterThan(0);
    expect(resumedAt).toBeLessThanOrEqual(1_000_000);
    expect(readFileSync(path!).equals(onnxBytes)).toBe(true);
  });

  it('rejects a download whose sha256 does not match, and keeps nothing of it', async () => {
    hub.lieAboutSha256 = true;
    const error = await rejectionOf(resolveHubFile(REPO, 'onnx/model.onnx', opts()));
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.details).toMatchObject({ expected: 'f'.repeat(64), actual: onnxSha });
    const paths = repoCachePaths(cacheDir, REPO);
    expect(readdirSync(paths.blobs)).toEqual([]);
    expect(existsSync(paths.snapshot(FAKE_COMMIT, 'onnx/model.onnx'))).toBe(false);
  });

  it('checks a user-given checksum too', async () => {
    const error = await rejectionOf(
      resolveHubFile(REPO, 'config.json', { ...opts(), checksums: { 'config.json': '0'.repeat(64) } }),
    );
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain('config.json');
  });

  it('turns 404 into DOWNLOAD_FAILED naming the URL and status, or undefined for optional files', async () => {
    const error = await rejectionOf(resolveHubFile(REPO, 'onnx/model_quantized.onnx', opts()));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.details.status).toBe(404);
    expect(error.message).toContain(`${hub.server.url}/${REPO}/resolve/main/onnx/model_quantized.onnx`);
    expect(error.message).toContain('404');
    expect(await resolveHubFile(REPO, 'modules.json', { ...opts(), optional: true })).toBeUndefined();

    const missingRepo = await rejectionOf(loadOnnxModel('test-org/no-such-model', opts()));
    expect(missingRepo.code).toBe('DOWNLOAD_FAILED');
    expect(missingRepo.details.status).toBe(401);
  });

  it('loading q8 weights that the repository lacks names the file', async () => {
    const error = await rejectionOf(loadOnnxModel(REPO, { ...opts(), dtype: 'q8' }));
    expect(error.message).toContain('onnx/model_quantized.onnx');
  });

  it('reports server errors as retryable DOWNLOAD_FAILED, and falls back to the cache when the hub is down', async () => {
    hub.failWith = 503;
    const error = await rejectionOf(resolveHubFile(REPO, 'config.json', { ...opts(), maxRetries: 0 }));
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.retryable).toBe(true);
    expect(error.details.status).toBe(503);

    hub.failWith = undefined;
    const path = await resolveHubFile(REPO, 'config.json', opts());
    hub.failWith = 503;
    expect(await resolveHubFile(REPO, 'config.json', opts())).toBe(path);
  });

  it('reports an unreachable hub as DOWNLOAD_FAILED naming the URL', async () => {
    const error = await rejectionOf(
      resolveHubFile(REPO, 'config.json', { cacheDir, endpoint: 'http://127.0.0.1:9', env: {} }),
    );
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toContain('http://127.0.0.1:9/test-org/tiny-random-bert/resolve/main/config.json');
  });

  it('aborts a download when the signal fires', async () => {
    const controller = new AbortController();
    const error = await rejectionOf(
      resolveHubFile(REPO, 'onnx/model.onnx', {
        ...opts(),
        signal: controller.signal,
        onProgress: (e) => {
          if (e.completed > 0) controller.abort();
        },
      }),
    );
    expect(error.code).toBe('ABORTED');
  });

  it('offline with an empty cache names the missing file and never touches the network', async () => {
    const source = openModelSource(REPO, { ...opts(), offline: true });
    const error = await rejectionOf(source.file('onnx/model.onnx'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('onnx/model.onnx');
    expect(error.message).toContain(REPO);
    expect(hub.requests).toEqual([]);
  });
});
