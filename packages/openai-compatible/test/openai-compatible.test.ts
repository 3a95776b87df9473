import type { IncomingHttpHeaders } from 'node:http';
import { RagloomError, type RetryEvent } from '@ragloom/core';
import { parseOptions, vendorFailure } from '@ragloom/core/adapter';
import { type LocalServer, readBody, rejectionOf, startLocalServer } from '@ragloom/test-utils';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createOpenAIClient,
  createOpenAICompatibleTransport,
  openAICompatibleOptions,
  resolveEndpoint,
  toRagloomError,
} from '../src/index.js';

/** One scripted answer of the local server: a status, a JSON body and headers, optionally after a delay. */
interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  readonly delayMs?: number;
}

let server: LocalServer;
const replies: Reply[] = [];
const seen: Array<{ url: string | undefined; headers: IncomingHttpHeaders; body: string }> = [];

beforeAll(async () => {
  server = await startLocalServer(async (req, res) => {
    seen.push({ url: req.url, headers: req.headers, body: await readBody(req) });
    const forced = Number(req.headers['x-status']);
    const reply: Reply = forced
      ? { status: forced, body: { error: { message: forced === 404 ? 'Invalid URL' : 'refused' } } }
      : (replies.shift() ?? { status: 200, body: { ok: true } });
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(JSON.stringify(reply.body ?? {}));
  });
});
afterAll(() => server.close());
afterEach(() => {
  replies.length = 0;
  seen.length = 0;
});

const baseURL = () => `${server.url}/v1`;

/** Options as a factory has them after parsing, with short backoffs for tests. */
const settings = (input: Record<string, unknown> = {}) =>
  parseOptions(
    openAICompatibleOptions,
    { model: 'm', baseURL: baseURL(), initialRetryDelayMs: 1, maxRetryDelayMs: 4, ...input },
    { component: 'test' },
  );

/** POSTs `{}` to `/things` through the real SDK client and the shared transport. */
async function post(input: Record<string, unknown> = {}) {
  const options = settings(input);
  const client = createOpenAIClient(options, 'test');
  const transport = createOpenAICompatibleTransport(options, { baseURL: client.baseURL, what: 'test call' });
  return transport.call('/things', undefined, (request) => client.post('/things', { body: {}, ...request }));
}

const withEnv = async <T>(values: Record<string, string | undefined>, run: () => T | Promise<T>) => {
  const saved = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  try {
    return await run();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
};

describe('options', () => {
  it('has one timeout name, one retry default and the same limits for every adapter', () => {
    const parsed = parseOptions(openAICompatibleOptions, { model: 'm' }, { component: 'test' });
    expect(parsed).toMatchObject({ timeoutMs: 600_000, maxRetries: 2, initialRetryDelayMs: 500 });
    for (const bad of [{ timeout: 5 }, { timeoutMs: 0 }, { maxRetries: -1 }, { baseURL: 'ftp://x' }]) {
      let error: unknown;
      try {
        parseOptions(openAICompatibleOptions, { model: 'm', ...bad }, { component: 'test' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({
        code: 'INVALID_CONFIG',
        details: { component: 'test', issues: [{ path: Object.keys(bad)[0] }] },
      });
    }
  });
});

describe('key rules', () => {
  it('demands a key only for api.openai.com: a base URL (option or $OPENAI_BASE_URL) may go without', async () => {
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }, () => {
      expect(() => resolveEndpoint({}, 'createX')).toThrowError(/createX: no API key .*OPENAI_API_KEY/);
      try {
        resolveEndpoint({}, 'createX');
      } catch (error) {
        expect(error).toMatchObject({
          code: 'INVALID_CONFIG',
          details: { component: 'createX', issues: [{ path: 'apiKey' }] },
        });
      }
      expect(resolveEndpoint({ baseURL: 'http://localhost:8000/v1/' }, 'x')).toEqual({
        baseURL: 'http://localhost:8000/v1',
        apiKey: undefined,
      });
    });
    await withEnv({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' }, () => {
      expect(resolveEndpoint({}, 'x')).toEqual({ baseURL: 'http://127.0.0.1:1/v1', apiKey: undefined });
    });
    await withEnv({ OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: 'not a url' }, () => {
      expect(() => resolveEndpoint({}, 'x')).toThrowError(/\$OPENAI_BASE_URL is not an http\(s\) URL/);
      expect(resolveEndpoint({ baseURL: 'https://example.test/v1' }, 'x')).toEqual({
        baseURL: 'https://example.test/v1',
        apiKey: 'sk-env',
      });
    });
  });

  it('sends no Authorization header without a key, Bearer with one, and no organization read from the environment', async () => {
    await withEnv(
      { OPENAI_API_KEY: undefined, OPENAI_ORG_ID: 'org-env', OPENAI_PROJECT_ID: 'proj-env' },
      async () => {
        await post();
        await post({ apiKey: 'sk-1', organization: 'org-1', headers: { 'X-Title': 'ragloom' } });
      },
    );
    expect(seen[0]!.headers.authorization).toBeUndefined();
    expect(seen[0]!.headers['openai-organization']).toBeUndefined();
    expect(seen[0]!.headers['openai-project']).toBeUndefined();
    expect(seen[1]!.headers).toMatchObject({
      authorization: 'Bearer sk-1',
      'openai-organization': 'org-1',
      'x-title': 'ragloom',
    });
    expect(seen.map((s) => s.url)).toEqual(['/v1/things', '/v1/things']);
  });
});

describe('one status map', () => {
  it.each([
    [401, { error: { message: 'Incorrect API key' } }, 'AUTH_ERROR', false],
    [403, { error: { message: 'Forbidden' } }, 'AUTH_ERROR', false],
    [
      404,
      { error: { message: 'The model `x` does not exist', code: 'model_not_found' } },
      'MODEL_NOT_FOUND',
      false,
    ],
    [404, { error: { message: 'Invalid URL (POST /v1/things)' } }, 'NOT_FOUND', false],
    [400, { error: { message: 'temperature out of range' } }, 'INVALID_ARGUMENT', false],
    [400, { error: { message: 'x', code: 'context_length_exceeded' } }, 'CONTEXT_LENGTH_EXCEEDED', false],
    [413, { error: { message: 'input is too long for this model' } }, 'CONTEXT_LENGTH_EXCEEDED', false],
    [408, { error: { message: 'slow' } }, 'TIMEOUT', true],
    [429, { error: { message: 'Rate limit reached' } }, 'RATE_LIMITED', true],
    [429, { error: { message: 'quota', code: 'insufficient_quota' } }, 'RATE_LIMITED', false],
    [500, { error: { message: 'boom' } }, 'UPSTREAM_ERROR', true],
    [503, { detail: 'overloaded' }, 'UPSTREAM_ERROR', true],
  ])('HTTP %i %j is %s (retryable %s)', async (status, body, code, retryable) => {
    replies.push(...Array.from({ length: 3 }, () => ({ status, body })));
    const error = await rejectionOf(post({ maxRetries: 2 }));
    expect(error).toMatchObject({ code, retryable, details: { status } });
    expect(error.message).toContain(`POST ${baseURL()}/things (model m)`);
    expect(seen).toHaveLength(retryable ? 3 : 1);
  });

  it('x-should-retry overrides the status: false stops a 503, true retries a 400', async () => {
    replies.push({
      status: 503,
      body: { error: { message: 'down' } },
      headers: { 'x-should-retry': 'false' },
    });
    const stopped = await rejectionOf(post());
    expect(stopped).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    expect(seen).toHaveLength(1);

    seen.length = 0;
    replies.push({
      status: 400,
      body: { error: { message: 'try again' } },
      headers: { 'x-should-retry': 'true' },
    });
    const retries: RetryEvent[] = [];
    await expect(post({ onRetry: (event: RetryEvent) => retries.push(event) })).resolves.toEqual({
      ok: true,
    });
    expect(seen).toHaveLength(2);
    expect(retries.map((r) => r.error.code)).toEqual(['INVALID_ARGUMENT']);
  });

  it('times an attempt out after timeoutMs of silence (TIMEOUT, retried) and fails fast on a refused connection', async () => {
    replies.push({ status: 200, body: { ok: 1 }, delayMs: 1500 }, { status: 200, body: { ok: 2 } });
    const started = Date.now();
    await expect(post({ timeoutMs: 150 })).resolves.toEqual({ ok: 2 });
    expect(Date.now() - started).toBeLessThan(1200);
    expect(seen).toHaveLength(2);

    const refused = await rejectionOf(post({ baseURL: 'http://127.0.0.1:1/v1', maxRetries: 0 }));
    expect(refused.code).toBe('CONNECTION_ERROR');
    expect(refused.retryable).toBe(true);
  });

  it('maps concurrent failures independently, as one at a time', async () => {
    // The server answers by the `x-status` each request carries, so interleaving cannot change an answer.
    const statuses = [401, 404, 400, 429, 500, 401, 404, 400];
    const run = (status: number) =>
      rejectionOf(post({ maxRetries: 0, headers: { 'x-status': String(status) } })).then((e) => [
        e.code,
        e.retryable,
      ]);
    const sequential: unknown[] = [];
    for (const status of statuses) sequential.push(await run(status));
    const concurrent = await Promise.all(statuses.map(run));
    expect(concurrent).toEqual(sequential);
    expect(new Set(sequential.map((s) => String(s))).size).toBe(5);
  });
});

describe("aborts follow the kit's vendorFailure", () => {
  const context = { request: 'POST http://127.0.0.1:1/v1/things (model m)', what: 'test call' };
  const summary = (error: { code: string; message: string; retryable: boolean; cause?: unknown }) => ({
    code: error.code,
    message: error.message,
    retryable: error.retryable,
    cause: error.cause,
  });
  const mapped = (error: unknown) => new RagloomError('UPSTREAM_ERROR', `mapped ${String(error)}`);

  it('gives the same ABORTED as vendorFailure for an SDK abort error, a DOM AbortError and a fired signal', () => {
    const fired = new AbortController();
    fired.abort(new Error('user left'));
    const sdkAbort = Object.assign(new Error('Request was aborted.'), { name: 'APIUserAbortError' });
    const domAbort = new DOMException('This operation was aborted', 'AbortError');
    const serverError = Object.assign(new Error('500 oops'), { status: 500, error: { message: 'oops' } });
    const cases: Array<[unknown, AbortSignal | undefined]> = [
      [sdkAbort, undefined],
      [domAbort, undefined],
      [serverError, fired.signal], // the caller's abort wins over what the SDK reports
      [new TypeError('fetch failed'), fired.signal],
    ];
    for (const [error, signal] of cases) {
      const ours = toRagloomError(error, context, signal);
      expect(ours.code, String(error)).toBe('ABORTED');
      expect(summary(ours)).toEqual(summary(vendorFailure(error, signal, context.what, mapped)));
    }
  });

  it('leaves other failures to the OpenAI mapping, and passes a ragloom error on as it is', () => {
    const live = new AbortController().signal;
    const refused = toRagloomError(new TypeError('fetch failed'), context, live);
    expect(refused.code).toBe('CONNECTION_ERROR');
    const own = new RagloomError('TIMEOUT', 'already mapped', { retryable: true });
    expect(toRagloomError(own, context, live)).toBe(own);
  });

  it('an idle timeout is a TIMEOUT, not the ABORTED its abort error would map to', async () => {
    replies.push({ status: 200, body: { ok: 1 }, delayMs: 600 });
    const error = await rejectionOf(post({ timeoutMs: 100, maxRetries: 0 }));
    expect(error.code).toBe('TIMEOUT');
    expect(error.message).toContain('100 ms');
  });
});
