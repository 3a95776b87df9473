import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { ingestDocuments } from '../src/ingest/ingest-documents.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer } from '../src/server/create-server.js';
import type { RagloomServerOptions } from '../src/server/server-options.js';
import { DOCS, FIXTURE_PLUGINS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

const SLOW_CONFIG = {
  ...HYBRID_CONFIG,
  encoder: { use: join(FIXTURE_PLUGINS, 'slow-encoder.mjs'), options: { batchDelayMs: 20, batchSize: 16 } },
};

async function serve(
  config: Parameters<typeof makeProject>[1],
  options: RagloomServerOptions = {},
  access: 'read' | 'write' = 'write',
) {
  const dir = makeProject(DOCS, config);
  const loaded = await loadConfig({ cwd: dir, env: {} });
  const writer = await openRuntime(loaded, { access: 'write' });
  await ingestFiles(writer, { paths: [join(dir, 'docs')] });
  let runtime: RagloomRuntime = writer;
  if (access === 'read') runtime = await openRuntime(loaded);
  const server = createRagloomServer(runtime, options);
  const url = await server.listen(0, '127.0.0.1');
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });
  const search = async (query: string, k = 10) =>
    (
      (await (await post('/search', { query, k })).json()) as {
        hits: { id: string; source: string; text: string }[];
      }
    ).hits;
  const counts = () => Promise.all(runtime.retrievers.map((r) => r.retriever.count()));
  return {
    dir,
    writer,
    runtime,
    url,
    post,
    search,
    counts,
    async close() {
      await server.close(100);
      if (runtime !== writer) await runtime.close();
      await writer.close();
    },
  };
}

describe('server writes are applied whole, in their own namespace', () => {
  it('a timed-out /ingest applies none of its documents, and says so (issue item 4)', async () => {
    const s = await serve(SLOW_CONFIG, { requestTimeoutMs: 1500 });
    const before = await s.counts();
    const documents = Array.from({ length: 3000 }, (_, i) => ({
      id: `bulk-${i}`,
      text: `Bulk document ${i}.`,
    }));
    const timedOut = await s.post('/ingest', { documents });
    expect(timedOut.status).toBe(504);
    const body = (await timedOut.json()) as { error: { code: string; message: string }; applied: boolean };
    expect(body.applied).toBe(false);
    expect(body.error.code).toBe('timeout');
    expect(body.error.message).toContain('nothing of this request was applied');
    expect(await s.counts()).toEqual(before);

    const next = await s.post('/ingest', { documents: [{ id: 'one', text: 'A single document.' }] });
    expect(next.status).toBe(200);
    expect(await next.json()).toMatchObject({ applied: true, documents: 1, chunks: 1, ids: ['api://one'] });
    expect(await s.counts()).toEqual(before.map((n) => n + 1));
    expect((await s.search('Bulk document', 10)).filter((h) => h.id.includes('bulk-'))).toEqual([]);
    await s.close();
  }, 60_000);

  it('a client that goes away mid-ingest leaves nothing of its request behind', async () => {
    const s = await serve(SLOW_CONFIG);
    const before = await s.counts();
    const controller = new AbortController();
    const documents = Array.from({ length: 2000 }, (_, i) => ({
      id: `gone-${i}`,
      text: `Gone document ${i}.`,
    }));
    const request = fetch(`${s.url}/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ documents }),
      signal: controller.signal,
    }).catch((e: Error) => e);
    setTimeout(() => controller.abort(), 500);
    expect(await request).toBeInstanceOf(Error);
    await new Promise((r) => setTimeout(r, 300));
    expect(await s.counts()).toEqual(before);
    await s.close();
  });

  it('documents sent over HTTP cannot replace a file or claim one as their source (issue item 5)', async () => {
    const s = await serve(HYBRID_CONFIG);
    const fileHits = (await s.search('RAGLOOM_API_KEY', 10)).filter((h) => h.source === 'docs/server.md');
    expect(fileHits.length).toBeGreaterThan(0);
    const before = await s.counts();

    const same = await s.post('/ingest', {
      documents: [{ id: 'docs/server.md', text: 'Replaced by a client: nothing about keys.' }],
    });
    expect(await same.json()).toMatchObject({ applied: true, ids: ['api://docs/server.md'] });
    const after = (await s.search('RAGLOOM_API_KEY', 10)).filter((h) => h.source === 'docs/server.md');
    expect(after.map((h) => h.id)).toEqual(fileHits.map((h) => h.id));
    expect(await s.counts()).toEqual(before.map((n) => n + 1));
    const [client] = await s.search('Replaced by a client', 1);
    expect(client).toMatchObject({ id: 'api://docs/server.md#0', source: 'api://docs/server.md' });
    // The file was not touched, so an ingest of the folder finds it unchanged.
    const again = await ingestFiles(s.writer, { paths: [join(s.dir, 'docs')] });
    expect(again).toMatchObject({ added: [], updated: [], unchanged: 3 });

    const claim = await s.post('/ingest', {
      documents: [{ id: 'x', text: 'Cite me as a file.', metadata: { source: 'docs/server.md' } }],
    });
    expect(claim.status).toBe(400);
    expect(await claim.json()).toMatchObject({
      applied: false,
      error: { code: 'invalid_argument', param: 'documents[0].metadata.source' },
    });
    const twice = await s.post('/ingest', {
      documents: [
        { id: 'dup', text: 'one' },
        { id: 'dup', text: 'two' },
      ],
    });
    expect(twice.status).toBe(400);
    expect(await twice.json()).toMatchObject({ error: { param: 'documents[1].id' } });
    expect(await s.counts()).toEqual(before.map((n) => n + 1));
    await s.close();
  });

  it('with server.allowFileSources a client may replace a file, which the next ingest then restores', async () => {
    const s = await serve(HYBRID_CONFIG, { allowFileSources: true });
    const replaced = await s.post('/ingest', {
      documents: [
        {
          id: 'docs/server.md',
          text: 'The server was replaced over HTTP.',
          metadata: { source: 'docs/server.md' },
        },
      ],
    });
    expect(await replaced.json()).toMatchObject({ applied: true, ids: ['docs/server.md'] });
    expect((await s.search('RAGLOOM_API_KEY', 10)).filter((h) => h.text.includes('RAGLOOM_API_KEY'))).toEqual(
      [],
    );
    const [hit] = await s.search('replaced over HTTP', 1);
    expect(hit).toMatchObject({ id: 'docs/server.md#0', source: 'docs/server.md' });
    const state = s.writer.indexSet.state;
    const total = [...Object.values(state.files), ...Object.values(state.api)].reduce(
      (n, e) => n + e.chunks,
      0,
    );
    expect(await s.counts()).toEqual([total, total]);

    const again = await ingestFiles(s.writer, { paths: [join(s.dir, 'docs')] });
    expect(again.updated).toEqual(['docs/server.md']);
    expect(
      (await s.search('RAGLOOM_API_KEY', 10)).some(
        (h) => h.source === 'docs/server.md' && h.text.includes('RAGLOOM_API_KEY'),
      ),
    ).toBe(true);
    expect(s.writer.indexSet.state.api['docs/server.md']).toBeUndefined();
    await s.close();
  });

  it('a read-only server refuses writes naming the writer, and answers from what the writer commits', async () => {
    const s = await serve(HYBRID_CONFIG, {}, 'read');
    const refused = await s.post('/ingest', { documents: [{ id: 'a', text: 'nope' }] });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as { error: { code: string; message: string }; applied: boolean };
    expect(body).toMatchObject({ applied: false, error: { code: 'index_locked' } });
    expect(body.error.message).toContain(`pid ${process.pid}`);
    expect(body.error.message).toContain('read-only');

    await ingestDocuments(s.writer, [{ id: 'late', text: 'The zeppelin hangar opens at dawn.' }]);
    const [hit] = await s.search('zeppelin hangar', 1);
    expect(hit?.id).toBe('api://late#0');
    await s.close();
  });

  it('POST /ingest/files takes writes only from who can read the lock file, with the same config', async () => {
    const s = await serve(HYBRID_CONFIG);
    const token = s.writer.indexSet.writer!.lock.holder.token;
    const request = {
      paths: [join(s.dir, 'docs')],
      config: s.writer.loaded.path,
      settings: s.writer.settingsFingerprint,
    };
    const noToken = await s.post('/ingest/files', request);
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { message: string } }).error.message).toContain('writer.lock');
    const wrong = await s.post('/ingest/files', request, { 'x-ragloom-writer-token': `${token}x` });
    expect(wrong.status).toBe(403);
    const otherConfig = await s.post(
      '/ingest/files',
      { ...request, config: '/elsewhere/ragloom.config.json' },
      { 'x-ragloom-writer-token': token },
    );
    expect(otherConfig.status).toBe(409);
    const relative = await s.post(
      '/ingest/files',
      { ...request, paths: ['docs'] },
      { 'x-ragloom-writer-token': token },
    );
    expect(relative.status).toBe(400);

    const ok = await s.post('/ingest/files', request, { 'x-ragloom-writer-token': token });
    expect(ok.status).toBe(200);
    const events = (await ok.text())
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; result?: { unchanged: number } });
    expect(events.at(-1)).toMatchObject({ type: 'result', result: { unchanged: 3 } });

    // A rebuild through the server replaces everything, HTTP documents included, in its commits.
    await s.post('/ingest', { documents: [{ id: 'extra', text: 'An HTTP document.' }] });
    const rebuilt = await s.post(
      '/ingest/files',
      { ...request, rebuild: true },
      { 'x-ragloom-writer-token': token },
    );
    const last = JSON.parse((await rebuilt.text()).trim().split('\n').at(-1)!) as {
      result: { added: string[]; chunks: number };
    };
    expect(last.result.added).toHaveLength(3);
    expect(await s.counts()).toEqual([last.result.chunks, last.result.chunks]);
    expect(s.writer.indexSet.state.api).toEqual({});
    await s.close();
  });
});
