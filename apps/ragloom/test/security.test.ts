// One test per refusal of issue 14 (a server no web page can write into, no slow client can starve, and
// ingest that stays in its folder). All traffic goes to 127.0.0.1; every slow client is bounded in time.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import type { RagloomConfigInput } from '../src/config/config-schema.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer, type RagloomServer } from '../src/server/create-server.js';
import { secretsEqual } from '../src/server/secret-compare.js';
import type { AccessLogEntry, RagloomServerOptions } from '../src/server/server-options.js';
import { APP_DIR, BM25_CONFIG, CLI, DOCS, makeProject, runCli } from './helpers/project.js';
import { rawRequest, slowBodyClient } from './helpers/raw-http.js';

const JSON_HEADERS = { 'content-type': 'application/json' };
const SEARCH = JSON.stringify({ query: 'server port', k: 2 });

let runtime: RagloomRuntime;
const servers: RagloomServer[] = [];

async function serve(options: RagloomServerOptions = {}): Promise<string> {
  const server = createRagloomServer(runtime, options);
  servers.push(server);
  return server.listen(0, '127.0.0.1');
}

beforeAll(async () => {
  const dir = makeProject(DOCS, BM25_CONFIG);
  runtime = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { access: 'write' });
  await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
});
afterAll(async () => {
  for (const s of servers) await s.close(100);
  await runtime.close();
});

const search = (url: string, extra: Record<string, string> = {}, localAddress?: string) =>
  rawRequest(url, {
    method: 'POST',
    path: '/search',
    headers: { ...JSON_HEADERS, ...extra },
    body: SEARCH,
    localAddress,
  });

describe('same-origin JSON only', () => {
  it('refuses a JSON endpoint body that is not application/json (415), so a page cannot POST text/plain', async () => {
    const url = await serve();
    const planted = JSON.stringify({ documents: [{ id: 'planted', text: 'zyzzyva planted by a web page' }] });
    for (const type of [
      'text/plain;charset=UTF-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data',
    ]) {
      const res = await rawRequest(url, {
        method: 'POST',
        path: '/ingest',
        headers: { 'content-type': type },
        body: planted,
      });
      expect(res.status).toBe(415);
      expect(JSON.parse(res.text).error.code).toBe('unsupported_media_type');
    }
    const none = await rawRequest(url, { method: 'POST', path: '/search', body: SEARCH });
    expect(none.status).toBe(415);
    const { hits } = JSON.parse(
      (
        await rawRequest(url, {
          method: 'POST',
          path: '/search',
          headers: JSON_HEADERS,
          body: JSON.stringify({ query: 'zyzzyva planted', k: 3 }),
        })
      ).text,
    );
    expect(JSON.stringify(hits)).not.toContain('zyzzyva');
    // The same documents sent as JSON are taken: the refusal is the content type alone.
    expect(
      (await rawRequest(url, { method: 'POST', path: '/ingest', headers: JSON_HEADERS, body: planted }))
        .status,
    ).toBe(200);
    expect((await search(url, { 'content-type': 'application/json; charset=utf-8' })).status).toBe(200);
  });

  it('refuses browser requests from another origin (403) and serves its own origin', async () => {
    const url = await serve();
    for (const origin of ['https://evil.example', 'null', 'http://127.0.0.1:1']) {
      const res = await search(url, { origin });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text).error.code).toBe('origin_not_allowed');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    }
    expect((await search(url, { origin: url })).status).toBe(200);
  });

  it('answers CORS, preflight included, for origins listed in server.cors only', async () => {
    const url = await serve({ cors: ['https://app.example.com'] });
    const preflight = await rawRequest(url, {
      method: 'OPTIONS',
      path: '/search',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type, authorization',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example.com');
    expect(preflight.headers['access-control-allow-methods']).toContain('POST');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    expect(preflight.headers.vary).toContain('Origin');
    const allowed = await search(url, { origin: 'https://app.example.com' });
    expect(allowed.status).toBe(200);
    expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.com');
    const badHeader = await rawRequest(url, {
      method: 'OPTIONS',
      path: '/search',
      headers: {
        origin: 'https://app.example.com',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'x-evil',
      },
    });
    expect(badHeader.status).toBe(403);
    const other = await rawRequest(url, {
      method: 'OPTIONS',
      path: '/search',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.status).toBe(403);
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('refuses a Host that is not a loopback name, an IP or a configured host (421: DNS rebinding)', async () => {
    const url = await serve({ allowedHosts: ['ragloom.example.com', '.corp.example'] });
    const port = new URL(url).port;
    for (const host of ['rebind.evil.example', `rebind.evil.example:${port}`, 'example.com.evil.example']) {
      const res = await search(url, { host });
      expect(res.status).toBe(421);
      expect(JSON.parse(res.text).error.code).toBe('host_not_allowed');
      expect((await rawRequest(url, { path: '/', headers: { host } })).status).toBe(421);
    }
    for (const host of [
      `localhost:${port}`,
      `127.0.0.1:${port}`,
      'app.localhost',
      `ragloom.example.com:${port}`,
      'a.corp.example',
    ])
      expect((await search(url, { host })).status).toBe(200);
  });

  it('keeps the web UI working: same-origin page and API, with security headers', async () => {
    const url = await serve();
    const page = await rawRequest(url, { path: '/' });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
    // What the page's own fetch sends: its origin and JSON.
    expect((await search(url, { origin: url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    const api = await search(url);
    expect(api.headers['x-content-type-options']).toBe('nosniff');
  });
});

describe('deadlines and fair slots', () => {
  it('16 slow bodies (1 MB declared, 1 byte every 2 s) are cut off with 408 and never starve /search', async () => {
    const url = await serve({ maxConcurrent: 16, requestTimeoutMs: 120_000 });
    const slow = Array.from({ length: 16 }, () =>
      slowBodyClient(url, { declaredBytes: 1_000_000, intervalMs: 2000 }),
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      for (let i = 0; i < 5; i++) {
        const res = await search(url);
        expect(res.status).toBe(200);
      }
      const ends = await Promise.all(slow.map((s) => s.done));
      for (const end of ends) {
        expect(end.statusLine).toBe('HTTP/1.1 408 Request Timeout');
        // The rate check (5 s grace at 1024 B/s) ends them long before requestTimeoutMs (120 s).
        expect(end.ms).toBeLessThan(9_000);
      }
    } finally {
      for (const s of slow) s.stop();
    }
  }, 20_000);

  it('with 200 slow-body connections open, /search from a normal client succeeds every time', async () => {
    const url = await serve({ maxConcurrent: 16, maxConnectionsPerClient: 500 });
    const slow = Array.from({ length: 200 }, () =>
      slowBodyClient(url, { declaredBytes: 1_000_000, intervalMs: 500 }),
    );
    try {
      await new Promise((r) => setTimeout(r, 500));
      const statuses: number[] = [];
      const until = Date.now() + 3_000;
      while (Date.now() < until) statuses.push((await search(url)).status);
      expect(statuses.length).toBeGreaterThan(5);
      expect(new Set(statuses)).toEqual(new Set([200]));
    } finally {
      for (const s of slow) s.stop();
    }
  }, 20_000);

  it('bounds connections per client address; another client keeps being served', async () => {
    const log: AccessLogEntry[] = [];
    const url = await serve({ maxConnectionsPerClient: 4, onRequest: (e) => log.push(e) });
    const slow = Array.from({ length: 4 }, () =>
      slowBodyClient(url, { declaredBytes: 100, intervalMs: 200 }),
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const refused = await search(url);
      expect(refused.status).toBe(429);
      expect(JSON.parse(refused.text).error.code).toBe('too_many_connections');
      expect((await search(url, {}, '127.0.0.2')).status).toBe(200);
      // The refused connection's request is not served behind its refusal: only 127.0.0.2's search ran.
      await new Promise((r) => setTimeout(r, 200));
      expect(log.map((e) => [e.path, e.client])).toEqual([['/search', '127.0.0.2']]);
    } finally {
      for (const s of slow) s.stop();
    }
  });

  it('the body has its own deadline, independent of requestTimeoutMs', async () => {
    const url = await serve({ bodyTimeoutMs: 1500, minBodyBytesPerSecond: 0, requestTimeoutMs: 60_000 });
    const client = slowBodyClient(url, { declaredBytes: 10_000, intervalMs: 100 });
    const end = await client.done;
    expect(end.statusLine).toBe('HTTP/1.1 408 Request Timeout');
    expect(end.ms).toBeGreaterThanOrEqual(1400);
    expect(end.ms).toBeLessThan(4000);
  });

  it('headers have a deadline: a client that never finishes its headers is closed', async () => {
    const url = await serve({ headersTimeoutMs: 1000 });
    const { hostname, port } = new URL(url);
    const started = Date.now();
    const { connect } = await import('node:net');
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (d) => (received += d.toString()));
    socket.write(`GET /healthz HTTP/1.1\r\nHost: ${hostname}\r\nx-slow: `);
    const drip = setInterval(() => socket.writable && socket.write('a'), 200);
    await new Promise((r) => socket.on('close', r));
    clearInterval(drip);
    expect(received.split('\r\n')[0]).toBe('HTTP/1.1 408 Request Timeout');
    expect(Date.now() - started).toBeLessThan(4000);
  });
});

describe('client errors are 4xx', () => {
  it('malformed URLs are 400 before the key check, with no stack trace in the log', async () => {
    const errors: unknown[] = [];
    const log: AccessLogEntry[] = [];
    const url = await serve({ apiKey: 'k', onError: (e) => errors.push(e), onRequest: (e) => log.push(e) });
    for (const path of ['/%E0%A4%A.js', '/v1/models/%E0%A4%A', '//[', '/%00', '/a%2']) {
      const res = await rawRequest(url, { path });
      expect(res.status, path).toBe(400);
      expect(JSON.parse(res.text).error.code).toBe('invalid_url');
    }
    expect(errors).toEqual([]);
    // One structured access log line per request.
    expect(log).toHaveLength(5);
    expect(log[0]).toMatchObject({ method: 'GET', path: '(malformed)', status: 400, client: '127.0.0.1' });
    expect(typeof log[0]!.time).toBe('string');
    // A well-formed encoded path still works.
    const model = await rawRequest(url, {
      path: '/v1/models/ragloom',
      headers: { authorization: 'Bearer k' },
    });
    expect(model.status).toBe(200);
  });

  it('property: random methods, paths, headers and bodies never get a 5xx, and memory stays bounded', async () => {
    const errors: unknown[] = [];
    const url = await serve({ onError: (e) => errors.push(e), maxConnectionsPerClient: 1000 });
    const methods = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD', 'FOO');
    const paths = fc.oneof(
      fc.constantFrom(
        '/',
        '/search',
        '/ingest',
        '/v1/chat/completions',
        '/v1/embeddings',
        '/v1/models',
        '/healthz',
        '/ingest/files',
        '/app.js',
        '/../etc/passwd',
      ),
      fc.webPath(),
      fc.string({ maxLength: 40 }).map((s) => `/${encodeURIComponent(s)}`),
      fc.stringMatching(/^\/[%A-Za-z0-9./[\]@:~-]{0,30}$/),
    );
    const headers = fc.dictionary(
      fc.constantFrom(
        'content-type',
        'origin',
        'host',
        'authorization',
        'x-api-key',
        'accept',
        'x-ragloom-writer-token',
        'access-control-request-method',
      ),
      fc.oneof(
        fc.constantFrom(
          'application/json',
          'text/plain',
          'null',
          'https://evil.example',
          'localhost',
          'Bearer x',
          'POST',
        ),
        fc.stringMatching(/^[\x20-\x7e]{0,40}$/),
      ),
      { maxKeys: 4 },
    );
    const bodies = fc.oneof(
      fc.constant(undefined),
      fc.json(),
      fc.string({ maxLength: 200 }),
      fc.constantFrom(
        '{"query":"port"}',
        '{"documents":[{"id":"x","text":"y"}]}',
        '{"messages":[]}',
        '{"input":"a"}',
        '[]',
        'null',
      ),
    );
    const before = process.memoryUsage().heapUsed;
    await fc.assert(
      fc.asyncProperty(methods, paths, headers, bodies, async (method, path, hdrs, body) => {
        const sendBody = method !== 'GET' && method !== 'HEAD' ? body : undefined;
        const res = await rawRequest(url, { method, path, headers: hdrs, body: sendBody }).catch(
          (e: Error) => ({
            status: 0,
            error: e.message,
          }),
        );
        // A connection may be closed on a refusal; a 5xx or a crash never.
        expect(res.status).toBeLessThan(500);
      }),
      { numRuns: 300, seed: 14 },
    );
    expect(errors).toEqual([]);
    expect((await rawRequest(url, { path: '/healthz' })).status).toBe(200);
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 2 ** 20);
  }, 60_000);

  it('answers under concurrency equal those one request at a time', async () => {
    const url = await serve({ maxConcurrent: 64 });
    const queries = ['server port', 'content hash', 'API key', '离线', 'deleted files', 'flag'];
    const body = (q: string) => JSON.stringify({ query: q, k: 3 });
    const ask = (q: string) =>
      rawRequest(url, { method: 'POST', path: '/search', headers: JSON_HEADERS, body: body(q) }).then(
        (r) => r.text,
      );
    const sequential: string[] = [];
    for (const q of queries) sequential.push(await ask(q));
    const concurrent = await Promise.all([...queries, ...queries, ...queries].map(ask));
    expect(concurrent).toEqual([...sequential, ...sequential, ...sequential]);
  });
});

describe('keys and headers', () => {
  it('compares keys over fixed-length digests: any length is refused without a throw, only the key passes', () => {
    expect(secretsEqual('secret-key', 'secret-key')).toBe(true);
    expect(secretsEqual('secret-ke', 'secret-key')).toBe(false);
    expect(secretsEqual('secret-key-longer', 'secret-key')).toBe(false);
    expect(secretsEqual('', 'secret-key')).toBe(false);
    expect(secretsEqual(undefined, 'secret-key')).toBe(false);
  });

  it('takes the documented header forms (Bearer and x-api-key) and names both when refusing', async () => {
    const url = await serve({ apiKey: 'k-123' });
    expect((await search(url, { authorization: 'Bearer k-123' })).status).toBe(200);
    expect((await search(url, { 'x-api-key': 'k-123' })).status).toBe(200);
    const refused = await search(url, { 'x-api-key': 'k-12' });
    expect(refused.status).toBe(401);
    expect(JSON.parse(refused.text).error.message).toContain('x-api-key');
    const help = await runCli(['serve', '--help'], { cwd: tmpdir() });
    expect(help.stdout).toContain('x-api-key');
  });

  it('/healthz?gc forces no GC unless the operator turned it on', async () => {
    const g = globalThis as { gc?: () => void };
    const previous = g.gc;
    let calls = 0;
    g.gc = () => {
      calls++;
    };
    try {
      const closed = await serve();
      await rawRequest(closed, { path: '/healthz?gc' });
      expect(calls).toBe(0);
      const open = await serve({ healthzGc: true });
      await rawRequest(open, { path: '/healthz?gc' });
      expect(calls).toBe(1);
    } finally {
      g.gc = previous;
    }
  });
});

describe('ingest stays inside', () => {
  const outside = mkdtempSync(join(tmpdir(), 'ragloom-outside-'));
  writeFileSync(join(outside, 'passwd.txt'), 'root:x:0:0 secretword-outside\n');

  function linkedProject(ingest: RagloomConfigInput['ingest'] = {}) {
    const dir = makeProject(
      {
        'files/readme.md': '# Readme\n\nInside text about quokkas.\n',
        'files/sub/inner.md': '# Inner\n\nInner text about wombats.\n',
        'files/.hidden.md': 'hiddenword should not be indexed\n',
        'files/.secret/notes.md': 'secretdirword should not be indexed\n',
        'files/build.log.txt': 'logword should not be indexed\n',
        'files/drafts/draft.md': 'draftword should not be indexed\n',
        'files/keep/.gitignore': '*.md\n!wanted.md\n',
        'files/keep/unwanted.md': 'unwantedword ignored by nested gitignore\n',
        'files/keep/wanted.md': 'wantedword kept by negation\n',
        'files/.gitignore': 'drafts/\n',
        'files/image.png': 'not text',
      },
      { ...BM25_CONFIG, ingest },
    );
    symlinkSync(join(outside, 'passwd.txt'), join(dir, 'files', 'passwd-link.txt'));
    symlinkSync(outside, join(dir, 'files', 'outside-dir'));
    symlinkSync(join(dir, 'files', 'sub', 'inner.md'), join(dir, 'files', 'inner-link.md'));
    return dir;
  }

  async function ingestProject(dir: string, exclude?: string[]) {
    const rt = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { access: 'write' });
    try {
      const result = await ingestFiles(rt, { paths: [join(dir, 'files')], exclude });
      const texts = (
        await rt.pipeline.retrieve(
          'secretword quokkas wombats hiddenword draftword wantedword unwantedword logword secretdirword',
          { k: 20 },
        )
      )
        .map((p) => p.text)
        .join('\n');
      return { result, texts };
    } finally {
      await rt.close();
    }
  }

  it('does not follow links out of the folder by default, and says so; hidden and .gitignored files are left out', async () => {
    const dir = linkedProject({ exclude: ['node_modules', '*.log.txt'] });
    const { result, texts } = await ingestProject(dir);
    expect(texts).not.toContain('secretword-outside');
    expect(texts).toContain('quokkas');
    expect(texts).toContain('wantedword');
    for (const word of ['hiddenword', 'draftword', 'unwantedword', 'logword', 'secretdirword'])
      expect(texts).not.toContain(word);
    expect(result.added.sort()).toEqual([
      'files/inner-link.md',
      'files/keep/wanted.md',
      'files/readme.md',
      'files/sub/inner.md',
    ]);
    const skipped = Object.fromEntries(result.skipped.map((s) => [s.source, s.reason]));
    expect(skipped['files/passwd-link.txt']).toMatch(/symbolic link .*outside the folder/);
    expect(skipped['files/outside-dir']).toMatch(/symbolic link .*outside the folder/);
    const excluded = Object.fromEntries(result.excluded.map((s) => [s.source, s.reason]));
    expect(excluded).toMatchObject({
      'files/.hidden.md': 'hidden',
      'files/.secret': 'hidden',
      'files/drafts': 'ignored by .gitignore',
      'files/keep/unwanted.md': 'ignored by .gitignore',
      'files/build.log.txt': 'excluded by ingest.exclude / --exclude',
    });
    expect(excluded['files/image.png']).toMatch(/unsupported file type \.png/);
  });

  it('followSymlinks "never" follows no link, "all" follows every one (and pruning removes it again)', async () => {
    const never = await ingestProject(linkedProject({ followSymlinks: 'never' }));
    expect(never.result.added).not.toContain('files/inner-link.md');
    expect(never.result.skipped.map((s) => s.source)).toContain('files/inner-link.md');
    const dir = linkedProject({ followSymlinks: 'all' });
    const all = await ingestProject(dir);
    expect(all.texts).toContain('secretword-outside');
    writeFileSync(
      join(dir, 'ragloom.config.json'),
      JSON.stringify({ ...BM25_CONFIG, ingest: { followSymlinks: 'inside' } }),
    );
    const inside = await ingestProject(dir);
    expect(inside.result.removed).toContain('files/passwd-link.txt');
    expect(inside.texts).not.toContain('secretword-outside');
  });

  it('--exclude patterns leave paths out, and an ingest above ingest.maxTotalMiB is refused before any work', async () => {
    const excluded = await ingestProject(linkedProject(), ['sub/**']);
    expect(excluded.result.added).not.toContain('files/sub/inner.md');
    const dir = makeProject(
      { 'files/big.txt': 'x'.repeat(300 * 1024) },
      { ...BM25_CONFIG, ingest: { maxTotalMiB: 0.25 } },
    );
    const refused = await ingestProject(dir).catch((e: Error & { code?: string }) => e);
    expect(refused).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((refused as Error).message).toMatch(/ingest\.maxTotalMiB/);
    const cli = await runCli(['ingest', '--exclude', '*.md', '--', 'files'], { cwd: linkedProject() });
    expect(cli.code).toBe(0);
    expect(cli.stderr).toMatch(/skipped files\/passwd-link\.txt: a symbolic link/);
    expect(cli.stderr).toMatch(/left out \d+ entries: .*hidden/);
  });
});

describe('trusted code only', () => {
  const EVIL = (marker: string) =>
    `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(marker)}, 'ran');\nexport const ragloomPlugin = { specificationVersion: 'v1', retriever: { create() { throw new Error('evil'); } } };\n`;

  it('a config naming a module path runs nothing on doctor or query unless the user trusts it', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'ragloom-marker-')), 'ran');
    const dir = makeProject(
      { 'evil.mjs': EVIL(marker), 'docs/a.md': '# A\n' },
      {
        retrievers: [{ name: 'evil', use: './evil.mjs' }],
      },
    );
    const env = { RAGLOOM_TRUST_CONFIG: undefined };
    const query = await runCli(['query', 'x'], { cwd: dir, env });
    expect(query.code).toBe(1);
    expect(query.stderr).toMatch(/error \[INVALID_CONFIG\].*module paths.*evil\.mjs.*--trust-config/s);
    const doctor = await runCli(['doctor'], { cwd: dir, env });
    expect(doctor.stdout + doctor.stderr).toMatch(/would run the file .*evil\.mjs/);
    expect(existsSync(marker)).toBe(false);
    await runCli(['query', 'x'], { cwd: dir, env: { RAGLOOM_TRUST_CONFIG: '1' } });
    expect(existsSync(marker)).toBe(true);
  });

  it('a module config found in a parent folder (a cloned repository) is not run without trust', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'ragloom-marker-')), 'ran');
    const repo = makeProject({
      'ragloom.config.mjs': `${EVIL(marker)}export default { retrievers: [{ name: 'b', use: '@ragloom/retriever-bm25' }] };\n`,
    });
    const inner = join(repo, 'src', 'deep');
    mkdirSync(inner, { recursive: true });
    const query = await runCli(['query', 'x'], { cwd: inner, env: { RAGLOOM_TRUST_CONFIG: undefined } });
    expect(query.code).toBe(1);
    expect(query.stderr).toMatch(/ragloom\.config\.mjs is a module: loading it would run its code/);
    const doctor = await runCli(['doctor'], { cwd: inner, env: { RAGLOOM_TRUST_CONFIG: undefined } });
    expect(doctor.stdout + doctor.stderr).toMatch(/is a module/);
    expect(existsSync(marker)).toBe(false);
    await runCli(['--trust-config', 'doctor'], { cwd: inner });
    expect(existsSync(marker)).toBe(true);
  });

  it('plugins named by npm package keep working without trust, and doctor says what runs', async () => {
    const dir = makeProject({}, BM25_CONFIG);
    const doctor = await runCli(['doctor'], { cwd: dir, env: { RAGLOOM_TRUST_CONFIG: undefined } });
    expect(doctor.stdout + doctor.stderr).toMatch(/runs package @ragloom\/retriever-bm25@\S+ from /);
  });
});

describe('CLI errors', () => {
  const dir = makeProject({}, BM25_CONFIG);

  it('an invalid port is a typed error with a fix, no stack trace', async () => {
    for (const port of ['abc', '99999', '-1']) {
      const res = await runCli(['serve', '--port', port], { cwd: dir });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(
        /error \[INVALID_ARGUMENT\] --port .* is not a port: give an integer from 0 to 65535/,
      );
      expect(res.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it('a port in use is a typed error with a fix, no stack trace', async () => {
    const blocker = createNetServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as { port: number }).port;
    try {
      const res = await runCli(['serve', '--port', String(port)], { cwd: dir });
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1:${port} is already in use .*--port`));
      expect(res.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  it('refuses a non-loopback bind without an API key unless --insecure', async () => {
    const refused = await runCli(['serve', '--host', '0.0.0.0', '--port', '0'], {
      cwd: dir,
      env: { RAGLOOM_API_KEY: undefined },
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/refusing to serve 0\.0\.0\.0 without an API key.*--insecure/s);
    // --insecure lifts the refusal (this address is not the machine's, so the bind then fails, typed).
    const insecure = await runCli(['serve', '--host', '192.0.2.1', '--port', '0', '--insecure'], {
      cwd: dir,
      env: { RAGLOOM_API_KEY: undefined },
    });
    expect(insecure.stderr).not.toMatch(/refusing to serve/);
    expect(insecure.stderr).toMatch(/error \[INVALID_ARGUMENT\] cannot listen on 192\.0\.2\.1:0/);
  });

  it('a closed stdout (EPIPE, as in `ragloom --help | head`) ends the CLI quietly', async () => {
    const child = spawn(process.execPath, [CLI, '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((r) => child.on('close', r));
    expect(stderr).not.toMatch(/EPIPE|Error/);
    expect(code).toBe(0);
  });
});

describe('SECURITY.md', () => {
  it('states the threat model, how to report, and every setting that guards the server, configs and ingest', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(join(APP_DIR, '..', '..', 'SECURITY.md'), 'utf8');
    for (const heading of [
      '## Reporting a vulnerability',
      '## Threat model',
      '### Who can reach the server',
      '### What a config can do',
      '### What ingest reads',
      '## Settings that matter',
    ])
      expect(text).toContain(heading);
    const { ragloomConfigSchema } = await import('../src/config/config-schema.js');
    const defaults = ragloomConfigSchema.parse({ retrievers: [{ name: 'b', use: 'x' }] });
    const guarded = [
      ...[
        'host',
        'apiKeyEnv',
        'cors',
        'allowedHosts',
        'allowFileSources',
        'headersTimeoutMs',
        'bodyTimeoutMs',
        'minBodyBytesPerSecond',
        'maxConcurrent',
        'maxConnectionsPerClient',
        'maxConnections',
        'maxBodyBytes',
      ].map((k) => {
        expect(defaults.server).toHaveProperty(k);
        return `server.${k}`;
      }),
      ...['followSymlinks', 'gitignore', 'exclude', 'maxTotalMiB', 'maxFileMiB'].map((k) => {
        expect(defaults.ingest).toHaveProperty(k);
        return `ingest.${k}`;
      }),
      '--trust-config',
      'RAGLOOM_TRUST_CONFIG',
      '--insecure',
    ];
    for (const name of guarded) {
      const short = name.split('.').at(-1)!;
      expect(text.includes(name) || text.includes(`\`${short}\``) || text.includes(`, ${short}`), name).toBe(
        true,
      );
    }
  });
});
