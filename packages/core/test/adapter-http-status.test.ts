import { type LocalServer, startLocalServer } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  classifyHttpStatus,
  errorFromHttpStatus,
  isRetryableHttpStatus,
  parseRetryAfter,
  responseErrorMessage,
} from '../src/adapter/index.js';
import { isRagloomError, type RagloomError, withRetries } from '../src/index.js';

describe('classifyHttpStatus: the one status map', () => {
  const table: [number, string, boolean][] = [
    [400, 'INVALID_ARGUMENT', false],
    [401, 'AUTH_ERROR', false],
    [403, 'AUTH_ERROR', false],
    [404, 'NOT_FOUND', false],
    [405, 'INVALID_ARGUMENT', false],
    [408, 'TIMEOUT', true],
    [409, 'UPSTREAM_ERROR', true],
    [410, 'INVALID_ARGUMENT', false],
    [413, 'INVALID_ARGUMENT', false],
    [422, 'INVALID_ARGUMENT', false],
    [429, 'RATE_LIMITED', true],
    [451, 'INVALID_ARGUMENT', false],
    [499, 'INVALID_ARGUMENT', false],
    [500, 'UPSTREAM_ERROR', true],
    [501, 'UPSTREAM_ERROR', true],
    [502, 'UPSTREAM_ERROR', true],
    [503, 'UPSTREAM_ERROR', true],
    [504, 'TIMEOUT', true],
    [529, 'UPSTREAM_ERROR', true],
    [599, 'UPSTREAM_ERROR', true],
    [302, 'UPSTREAM_ERROR', false],
    [600, 'UPSTREAM_ERROR', false],
  ];
  it.each(table)('HTTP %i → %s, retryable %s', (status, code, retryable) => {
    expect(classifyHttpStatus(status)).toEqual({ code, retryable });
    expect(isRetryableHttpStatus(status)).toBe(retryable);
  });

  it('a 404 of a request that names a model is MODEL_NOT_FOUND', () => {
    expect(classifyHttpStatus(404, { notFound: 'model' })).toEqual({
      code: 'MODEL_NOT_FOUND',
      retryable: false,
    });
    expect(classifyHttpStatus(404, { notFound: 'resource' }).code).toBe('NOT_FOUND');
    expect(classifyHttpStatus(400, { notFound: 'model' }).code).toBe('INVALID_ARGUMENT');
  });

  it('x-should-retry overrides the rule both ways, in any case and from any header shape', () => {
    expect(classifyHttpStatus(500, { headers: new Headers({ 'x-should-retry': 'false' }) }).retryable).toBe(
      false,
    );
    expect(classifyHttpStatus(400, { headers: new Headers({ 'x-should-retry': 'true' }) }).retryable).toBe(
      true,
    );
    expect(classifyHttpStatus(429, { headers: { 'X-Should-Retry': 'FALSE' } }).retryable).toBe(false);
    expect(classifyHttpStatus(409, { headers: { 'x-should-retry': ['false', 'true'] } }).retryable).toBe(
      false,
    );
    // Anything else leaves the rule alone.
    expect(classifyHttpStatus(500, { headers: { 'x-should-retry': 'maybe' } }).retryable).toBe(true);
    expect(classifyHttpStatus(400, { headers: { 'x-should-retry': '' } }).retryable).toBe(false);
    // The code never changes with it.
    expect(classifyHttpStatus(503, { headers: { 'x-should-retry': 'false' } }).code).toBe('UPSTREAM_ERROR');
  });

  it('carries the wait the server asked for', () => {
    expect(classifyHttpStatus(429, { headers: { 'retry-after': '3' } })).toEqual({
      code: 'RATE_LIMITED',
      retryable: true,
      retryAfterMs: 3000,
    });
    expect(classifyHttpStatus(503, { headers: new Headers({ 'retry-after-ms': '150' }) }).retryAfterMs).toBe(
      150,
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads retry-after-ms, then Retry-After seconds or an HTTP date, from Headers and records alike', () => {
    for (const wrap of [(h: Record<string, string>) => new Headers(h), (h: Record<string, string>) => h]) {
      expect(parseRetryAfter(wrap({ 'retry-after-ms': '250' }), now)).toBe(250);
      expect(parseRetryAfter(wrap({ 'Retry-After': '2' }), now)).toBe(2000);
      expect(parseRetryAfter(wrap({ 'retry-after': '0.5' }), now)).toBe(500);
      expect(parseRetryAfter(wrap({ 'retry-after': 'Wed, 01 Jan 2025 00:00:07 GMT' }), now)).toBe(7000);
      expect(parseRetryAfter(wrap({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now)).toBe(0);
      expect(parseRetryAfter(wrap({ 'retry-after-ms': '10', 'retry-after': '5' }), now)).toBe(10);
      expect(parseRetryAfter(wrap({ 'retry-after-ms': 'x', 'retry-after': '1' }), now)).toBe(1000);
      expect(parseRetryAfter(wrap({ 'retry-after': 'soon' }), now)).toBeUndefined();
      expect(parseRetryAfter(wrap({ 'retry-after': '-3' }), now)).toBeUndefined();
      expect(parseRetryAfter(wrap({}), now)).toBeUndefined();
    }
    expect(parseRetryAfter({ 'retry-after': 4 }, now)).toBe(4000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('responseErrorMessage', () => {
  it("finds the server's words in the error bodies of the vendors we talk to", () => {
    expect(responseErrorMessage('{"error":{"message":"Invalid model","type":"invalid_request_error"}}')).toBe(
      'Invalid model',
    );
    expect(
      responseErrorMessage({ status: { error: 'Not found: Collection `docs` does not exist!' }, time: 0 }),
    ).toBe('Not found: Collection `docs` does not exist!');
    expect(responseErrorMessage('{"error":"Repository not found"}')).toBe('Repository not found');
    expect(responseErrorMessage('{"detail":"Not Found"}')).toBe('Not Found');
    expect(responseErrorMessage('{"message":"quota"}')).toBe('quota');
    expect(responseErrorMessage('<html>\n  <body>Bad   gateway</body>\n</html>')).toBe(
      '<html> <body>Bad gateway</body> </html>',
    );
    expect(responseErrorMessage('{"unexpected":1}')).toBe('{"unexpected":1}');
    expect(responseErrorMessage('{broken json')).toBe('{broken json');
    expect(responseErrorMessage('   ')).toBeUndefined();
    expect(responseErrorMessage(undefined)).toBeUndefined();
    expect(responseErrorMessage('x'.repeat(1000))).toHaveLength(300);
  });
});

describe('errorFromHttpStatus against a real HTTP server', () => {
  let server: LocalServer;
  let hits = 0;
  beforeAll(async () => {
    server = await startLocalServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/flaky') {
        hits++;
        if (hits < 3) {
          res.writeHead(503, { 'content-type': 'application/json', 'retry-after-ms': '5' });
          res.end('{"error":{"message":"overloaded"}}');
          return;
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
        return;
      }
      const status = Number(url.searchParams.get('status'));
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      for (const [key, value] of url.searchParams)
        if (key !== 'status' && key !== 'body') headers[key] = value;
      res.writeHead(status, headers);
      res.end(url.searchParams.get('body') ?? '');
    });
  });
  afterAll(() => server.close());

  async function call(query: Record<string, string>, notFound?: 'model'): Promise<RagloomError> {
    const target = `${server.url}/v1/embeddings?${new URLSearchParams(query)}`;
    const response = await fetch(target, { method: 'POST' });
    return errorFromHttpStatus({
      status: response.status,
      headers: response.headers,
      body: await response.text(),
      request: 'POST /v1/embeddings (model m)',
      ...(notFound ? { notFound } : {}),
    });
  }

  it('names the request, the status and the server message; details carry status and trimmed body', async () => {
    const error = await call({
      status: '429',
      'retry-after': '2',
      body: JSON.stringify({ error: { message: 'Rate limit reached for requests' } }),
    });
    expect(isRagloomError(error, 'RATE_LIMITED')).toBe(true);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe(
      'POST /v1/embeddings (model m) failed: HTTP 429 (too many requests): Rate limit reached for requests',
    );
    expect(error.details).toEqual({
      status: 429,
      body: '{"error":{"message":"Rate limit reached for requests"}}',
      retryAfterMs: 2000,
    });
  });

  it('a model 404, a refused key, and a server that says not to retry', async () => {
    const missing = await call(
      { status: '404', body: '{"error":{"message":"model m does not exist"}}' },
      'model',
    );
    expect([missing.code, missing.retryable]).toEqual(['MODEL_NOT_FOUND', false]);
    const auth = await call({ status: '401', body: '' });
    expect([auth.code, auth.message]).toEqual([
      'AUTH_ERROR',
      'POST /v1/embeddings (model m) failed: HTTP 401 (unauthorized)',
    ]);
    expect(auth.details).toEqual({ status: 401 });
    const noRetry = await call({ status: '500', 'x-should-retry': 'false', body: 'boom' });
    expect([noRetry.code, noRetry.retryable]).toEqual(['UPSTREAM_ERROR', false]);
  });

  it('trims a huge body in details and keeps the message short', async () => {
    const error = await call({ status: '502', body: 'y'.repeat(5000) });
    expect(String(error.details.body)).toHaveLength(2000);
    expect(error.message.length).toBeLessThan(400);
  });

  it('overrides the code and adds a hint and details, keeping the retry rule (the downloader)', () => {
    const error = errorFromHttpStatus({
      status: 503,
      request: 'GET https://hub/x/resolve/main/onnx/model.onnx',
      code: 'DOWNLOAD_FAILED',
      hint: 'the hub is busy',
      details: { file: 'onnx/model.onnx', status: 0 },
    });
    expect([error.code, error.retryable]).toEqual(['DOWNLOAD_FAILED', true]);
    expect(error.message).toBe(
      'GET https://hub/x/resolve/main/onnx/model.onnx failed: HTTP 503 (service unavailable) (the hub is busy)',
    );
    expect(error.details).toEqual({ file: 'onnx/model.onnx', status: 503 });
  });

  it('drives withRetries: a 503 with retry-after-ms is retried after the server wait, then succeeds', async () => {
    hits = 0;
    const waits: number[] = [];
    const result = await withRetries(
      {
        maxRetries: 3,
        initialDelayMs: 1000,
        maxDelayMs: 1000,
        maxRetryAfterMs: 1000,
        onRetry: (e) => waits.push(e.delayMs),
      },
      undefined,
      async () => {
        const response = await fetch(`${server.url}/flaky`);
        if (!response.ok) {
          throw errorFromHttpStatus({
            status: response.status,
            headers: response.headers,
            body: await response.text(),
            request: 'GET /flaky',
          });
        }
        return response.json();
      },
    );
    expect(result).toEqual({ ok: true });
    expect(waits).toEqual([5, 5]);
    expect(hits).toBe(3);
  });
});
