import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRagloomError, type RagloomError, type RagloomErrorCode } from '@ragloom/core';
import { type LocalServer, readBody, startLocalServer } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createQdrantRetriever, mapQdrantError } from '../src/index.js';

// Unit tests with the real @qdrant/js-client-rest talking HTTP to a scripted server on 127.0.0.1
// (not Qdrant): how each failure the client can meet maps to a ragloom error code with Qdrant's
// message, and what the requests this package makes look like on the wire.

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void | Promise<void>;
let server: LocalServer;
let handler: Handler = (_req, res) => {
  res.end();
};
const seen: { method: string; url: string; body: unknown; apiKey: string | undefined }[] = [];

beforeAll(async () => {
  server = await startLocalServer(async (req, res) => {
    const body = await readBody(req);
    seen.push({
      method: req.method ?? '',
      url: req.url ?? '',
      body: body ? JSON.parse(body) : undefined,
      apiKey: req.headers['api-key'] as string | undefined,
    });
    await handler(req, res, body);
  });
});
afterAll(() => server.close());

const reply = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const qdrantError = (message: string) => ({ status: { error: message }, time: 0.0001 });

async function failure(promise: Promise<unknown>): Promise<RagloomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRagloomError(error), String(error)).toBe(true);
  return error as RagloomError;
}

const retrieverAt = (url: string, extra: Record<string, unknown> = {}) =>
  createQdrantRetriever({ url, collection: 'docs', encoderModelId: 'm', dimension: 2, ...extra });

describe('error mapping (unit, real client against a scripted HTTP server)', () => {
  const cases: [number, string, RagloomErrorCode, boolean][] = [
    [400, 'Wrong input: Vector dimension error: expected dim: 2, got 3', 'INVALID_ARGUMENT', false],
    [401, 'Must provide an API key or an Authorization bearer token', 'AUTH_ERROR', false],
    [403, 'Forbidden: read-only API key', 'AUTH_ERROR', false],
    [404, "Not found: Collection `docs` doesn't exist!", 'NOT_FOUND', false],
    [422, 'Format error in JSON body: missing field `vector`', 'INVALID_ARGUMENT', false],
    [429, 'Too many requests', 'RATE_LIMITED', true],
    [500, 'Service internal error: disk full', 'UPSTREAM_ERROR', true],
    [503, 'Service unavailable: shard is being recovered', 'UPSTREAM_ERROR', true],
    [504, 'Timeout while waiting for the operation', 'TIMEOUT', true],
  ];
  for (const [status, message, code, retryable] of cases) {
    it(`HTTP ${status} → ${code} with Qdrant's message`, async () => {
      handler = (_req, res) => reply(res, status, qdrantError(message));
      const error = await failure(retrieverAt(server.url).count());
      expect(error.code).toBe(code);
      expect(error.retryable).toBe(retryable);
      expect(error.message).toContain(message);
      expect(error.message).toContain('Qdrant check collection on collection "docs"');
      expect(error.details).toMatchObject({ status, collection: 'docs', qdrantMessage: message });
    });
  }

  it('HTTP 429 with Retry-After → RATE_LIMITED carrying the delay', async () => {
    handler = (_req, res) => reply(res, 429, qdrantError('rate limit'), { 'retry-after': '7' });
    const error = await failure(retrieverAt(server.url).count());
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details.retryAfterSeconds).toBe(7);
  });

  it('a proxy error page in plain text keeps its text', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end('Bad Gateway from nginx');
    };
    const error = await failure(retrieverAt(server.url).count());
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('Bad Gateway from nginx');
  });

  it('the client timeout → TIMEOUT', async () => {
    handler = async (_req, res) => {
      await new Promise((r) => setTimeout(r, 1500));
      reply(res, 200, { result: { exists: true } });
    };
    const error = await failure(retrieverAt(server.url, { clientOptions: { timeout: 150 } }).count());
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
  });

  it('nothing listening → CONNECTION_ERROR naming the URL', async () => {
    const closed = await startLocalServer((_req, res) => {
      res.end();
    });
    const url = closed.url;
    await closed.close();
    const error = await failure(retrieverAt(url).count());
    expect(error.code).toBe('CONNECTION_ERROR');
    expect(error.message).toContain(url);
    expect(error.details.socketCode).toBe('ECONNREFUSED');
  });

  it('an abort while a search waits → ABORTED at once', async () => {
    handler = async (req, res) => {
      if (req.url?.includes('/points/query')) await new Promise((r) => setTimeout(r, 2000));
      routeCollectionReady(req, res);
    };
    const retriever = retrieverAt(server.url);
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(retriever.search({ vector: [1, 0], k: 1, signal: controller.signal }));
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('maps values that are not errors, and keeps ragloom errors as they are', () => {
    expect(mapQdrantError('boom', { operation: 'x' }).code).toBe('UPSTREAM_ERROR');
    const own = mapQdrantError(new Error('x'), { operation: 'x' });
    expect(mapQdrantError(own, { operation: 'y' })).toBe(own);
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(mapQdrantError(abort, { operation: 'search' }).code).toBe('ABORTED');
  });
});

/** Answers like a Qdrant that holds an empty, ready ragloom collection "docs" (2-d cosine). */
function routeCollectionReady(req: IncomingMessage, res: ServerResponse, withMetadata = true, name = 'docs') {
  const url = req.url ?? '';
  if (url.startsWith(`/collections/${name}/exists`)) return reply(res, 200, { result: { exists: true } });
  if (req.method === 'GET' && url.startsWith(`/collections/${name}`)) {
    return reply(res, 200, {
      result: {
        status: 'green',
        optimizer_status: 'ok',
        segments_count: 1,
        points_count: 0,
        config: {
          params: { vectors: { size: 2, distance: 'Cosine' } },
          hnsw_config: {},
          optimizer_config: {},
          metadata: withMetadata && {
            ragloom: {
              format: 1,
              manifest: { kind: 'dense', encoderModelId: 'm', dimension: 2, metric: 'cosine' },
              vectorName: null,
              pointIdNamespace: '5b1c2f4e-8a0d-4f39-9c6e-2d7a41e0b6c3',
              payloadKeys: { id: 'id', text: 'text', metadata: 'metadata' },
              sparse: null,
            },
          },
        },
        payload_schema: {},
      },
    });
  }
  if (url.includes('/points/query')) return reply(res, 200, { result: { points: [] } });
  if (url.includes('/points/count')) return reply(res, 200, { result: { count: 0 } });
  if (url.startsWith(`/collections/${name}/points`)) {
    return reply(res, 200, { result: { operation_id: 1, status: 'completed' } });
  }
  return reply(res, 404, qdrantError(`no route ${req.method} ${url}`));
}

describe('wire format (unit, real client against a scripted HTTP server)', () => {
  it('create: exists check, PUT collection, PATCH metadata, read back; then upsert and query', async () => {
    let created = false;
    let metadataWritten = false;
    handler = (req, res) => {
      const url = req.url ?? '';
      if (!created && url.startsWith('/collections/wire/exists'))
        return reply(res, 200, { result: { exists: false } });
      if (req.method === 'PUT' && url === '/collections/wire') {
        created = true;
        return reply(res, 200, { result: true });
      }
      if (req.method === 'PATCH') {
        metadataWritten = true;
        return reply(res, 200, { result: true });
      }
      return routeCollectionReady(req, res, metadataWritten, 'wire');
    };
    seen.length = 0;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {}); // the client warns about an API key over http
    const retriever = retrieverAt(server.url, { collection: 'wire', apiKey: 'secret-key', batchSize: 2 });
    await retriever.upsert([
      { id: 'a', text: 'alpha', metadata: { tag: 'x' }, vector: [1, 0] },
      { id: 'b', text: 'beta', vector: [0, 1] },
      { id: 'c', text: 'gamma', vector: [1, 1] },
    ]);
    await retriever.search({ vector: [1, 0], k: 2, filter: { tag: 'x' } });
    warn.mockRestore();

    // Only this test's collection: a request abandoned by the abort test may still arrive late.
    const wire = seen.filter((r) => r.url.startsWith('/collections/wire'));
    seen.splice(0, seen.length, ...wire);
    const requests = seen.map((r) => `${r.method} ${r.url}`);
    expect(requests).toEqual([
      'GET /collections/wire/exists',
      'PUT /collections/wire',
      'GET /collections/wire',
      'POST /collections/wire/points/count',
      'PATCH /collections/wire',
      'GET /collections/wire',
      'PUT /collections/wire/points?wait=true',
      'PUT /collections/wire/points?wait=true',
      'POST /collections/wire/points/query',
    ]);
    expect(seen.every((r) => r.apiKey === 'secret-key')).toBe(true);
    expect(seen[1]!.body).toEqual({ vectors: { size: 2, distance: 'Cosine' } });
    expect(seen[4]!.body).toMatchObject({ metadata: { ragloom: { manifest: { encoderModelId: 'm' } } } });
    expect((seen[6]!.body as { points: unknown[] }).points).toEqual([
      {
        id: '9472ad1e-03e5-508e-acf2-a956b2b5c037',
        vector: [1, 0],
        payload: { id: 'a', text: 'alpha', metadata: { tag: 'x' } },
      },
      { id: expect.any(String), vector: [0, 1], payload: { id: 'b', text: 'beta', metadata: {} } },
    ]);
    expect(seen[8]!.body).toEqual({
      query: [1, 0],
      filter: { must: [{ key: 'metadata.tag', match: { value: 'x' } }] },
      limit: 3,
      with_payload: true,
    });
  });
});
