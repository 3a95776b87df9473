import { parseRetryAfter } from '@ragloom/core';
import { checkEmbeddings, truncateText } from '@ragloom/core/adapter';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createOpenAIEncoder, type OpenAIEncoderOptions, type RetryEvent } from '../src/index.js';
import { API_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.delayMs = 0;
  server.rateLimit = undefined;
  server.maxInputs = 2048;
  server.maxTokens = 8192;
  server.forceDimension = undefined;
  server.rewriteData = undefined;
});

const encoder = (options: Partial<OpenAIEncoderOptions> = {}) =>
  createOpenAIEncoder({
    model: 'text-embedding-3-small',
    baseURL: server.url,
    apiKey: API_KEY,
    initialRetryDelayMs: 10,
    maxRetryDelayMs: 40,
    ...options,
  });

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('requests and responses', () => {
  it('returns the server vectors, asking for base64 by default and decoding it exactly', async () => {
    const texts = ['the cat sat on the mat', '北京是中国的首都', '🙂🚀 emoji'];
    const e = encoder();
    expect(e).toMatchObject({
      provider: 'openai',
      modelId: 'openai:text-embedding-3-small',
      dimension: 1536,
    });
    const { embeddings, usage } = await e.embed({ texts, inputType: 'document' });
    expect(server.requests[0]!.body).toMatchObject({
      model: 'text-embedding-3-small',
      input: texts,
      encoding_format: 'base64',
    });
    expect(server.requests[0]!.authorization).toBe(`Bearer ${API_KEY}`);
    for (const [i, text] of texts.entries()) {
      expect(maxAbsDiff(embeddings[i]!, await server.expected(text, 1536))).toBeLessThanOrEqual(1e-7);
    }
    expect(usage?.tokens).toBeGreaterThan(0);

    const float = await encoder({ encodingFormat: 'float' }).embed({ texts, inputType: 'document' });
    expect(server.requests[1]!.body.encoding_format).toBe('float');
    float.embeddings.forEach((v, i) => {
      expect(maxAbsDiff(v, embeddings[i]!)).toBeLessThanOrEqual(1e-7);
    });
  });

  it('sends dimensions and reports them, and a model that cannot reduce is INVALID_ARGUMENT', async () => {
    const e = encoder({ dimensions: 256 });
    expect(e.dimension).toBe(256);
    expect(e.modelId).toBe('openai:text-embedding-3-small@256');
    const [v] = (await e.embed({ texts: ['hello'], inputType: 'query' })).embeddings;
    expect(server.requests[0]!.body.dimensions).toBe(256);
    expect(maxAbsDiff(v!, await server.expected('hello', 256))).toBeLessThanOrEqual(1e-7);

    const local = encoder({ model: 'local-model', dimensions: 32 });
    const error = await rejectionOf(local.embed({ texts: ['hello'], inputType: 'query' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('does not support specifying dimensions');
    expect(error.details.status).toBe(400);
  });

  it('needs the vector length for models it does not know, and checks it', async () => {
    expect(() => encoder({ model: 'local-model' })).toThrowError(/dimension/);
    const ok = encoder({ model: 'local-model', dimension: 96 });
    expect((await ok.embed({ texts: ['x'], inputType: 'document' })).embeddings[0]).toHaveLength(96);
    const wrong = encoder({ model: 'local-model', dimension: 128 });
    const error = await rejectionOf(wrong.embed({ texts: ['x'], inputType: 'document' }));
    expect(error.code).toBe('DIMENSION_MISMATCH');
    expect(error.details).toMatchObject({ expected: 128, actual: 96 });
  });

  it('splits large calls into requests of maxBatchSize inputs and keeps the order', async () => {
    const texts = Array.from({ length: 37 }, (_, i) => `text number ${i}`);
    const e = encoder({ maxBatchSize: 10, concurrency: 3 });
    const { embeddings } = await e.embed({ texts, inputType: 'document' });
    expect(server.requests.map((r) => (r.body.input as string[]).length).sort((a, b) => a - b)).toEqual([
      7, 10, 10, 10,
    ]);
    for (const [i, text] of texts.entries()) {
      expect(maxAbsDiff(embeddings[i]!, await server.expected(text, 1536))).toBeLessThanOrEqual(1e-7);
    }
  });

  it('a server limit below maxBatchSize comes back as INVALID_ARGUMENT with the server message', async () => {
    server.maxInputs = 4;
    const error = await rejectionOf(
      encoder({ maxBatchSize: 8 }).embed({
        texts: Array.from({ length: 8 }, (_, i) => `t${i}`),
        inputType: 'document',
      }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('at most 4 items');
  });

  it('puts prompts before queries and documents', async () => {
    const e = encoder({ prompts: { query: 'search_query: ', document: 'search_document: ' } });
    await e.embed({ texts: ['cats'], inputType: 'query' });
    await e.embed({ texts: ['cats'], inputType: 'document' });
    expect(server.requests.map((r) => r.body.input)).toEqual([
      ['search_query: cats'],
      ['search_document: cats'],
    ]);
  });

  it('truncates over-long inputs: halves them when the server reports the context limit', async () => {
    server.maxTokens = 500;
    const long = 'retrieval augmented generation '.repeat(400); // ~3,000 tokens by the server's count
    const { embeddings } = await encoder().embed({ texts: [long, 'short'], inputType: 'document' });
    expect(embeddings).toHaveLength(2);
    const sent = server.requests.map((r) => (r.body.input as string[])[0]!.length);
    expect(sent[0]).toBe(long.length);
    expect(sent.at(-1)).toBeLessThanOrEqual(2000);
    expect(maxAbsDiff(embeddings[1]!, await server.expected('short', 1536))).toBeLessThanOrEqual(1e-7);
    // maxInputChars cuts before sending at all
    server.requests.length = 0;
    await encoder({ maxInputChars: 100 }).embed({ texts: [long], inputType: 'document' });
    expect((server.requests[0]!.body.input as string[])[0]).toHaveLength(100);
  });
});

/** Code, message and details of what `run` throws (it must throw). */
const refusalOf = async (run: () => unknown) => {
  const error = await Promise.resolve()
    .then(run)
    .then(
      () => {
        throw new Error('expected a refusal');
      },
      (e: unknown) => e as { code: string; message: string; details: unknown },
    );
  return { code: error.code, message: error.message, details: error.details };
};

describe("the kit's rules for inputs and vectors (the same result as truncateText / checkEmbeddings)", () => {
  const source = (e: { baseURL: string }) => `POST ${e.baseURL}/embeddings (model text-embedding-3-small)`;
  const base64 = (v: Float32Array) => Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');

  it('cuts prompt and text to maxInputChars with truncateText, never splitting a surrogate pair', async () => {
    const text = 'a😀b and more';
    await encoder({ maxInputChars: 5, prompts: { query: 'q: ' } }).embed({
      texts: [text],
      inputType: 'query',
    });
    const sent = (server.requests[0]!.body.input as string[])[0]!;
    expect(sent).toBe(truncateText(`q: ${text}`, 5));
    expect(sent).toBe('q: a'); // the emoji's pair sits at units 4–5: dropped whole, not half-sent
  });

  it('a wrong number of vectors is the same UPSTREAM_ERROR as checkEmbeddings gives', async () => {
    server.rewriteData = (data) => data.slice(0, 1);
    const e = encoder();
    const texts = ['one', 'two'];
    const [first] = (await encoder().embed({ texts: ['one'], inputType: 'document' })).embeddings;
    const error = await refusalOf(() => e.embed({ texts, inputType: 'document' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error).toEqual(
      await refusalOf(() =>
        checkEmbeddings([first!], { count: 2, dimension: 1536, normalize: false, source: source(e) }),
      ),
    );
  });

  it('a vector of another length is the same DIMENSION_MISMATCH as checkEmbeddings gives', async () => {
    server.forceDimension = 8;
    const e = encoder();
    const error = await refusalOf(() => e.embed({ texts: ['x'], inputType: 'document' }));
    expect(error).toMatchObject({ code: 'DIMENSION_MISMATCH', details: { expected: 1536, actual: 8 } });
    const wrong = await server.expected('x', 8);
    expect(error).toEqual(
      await refusalOf(() =>
        checkEmbeddings([wrong], { count: 1, dimension: 1536, normalize: false, source: source(e) }),
      ),
    );
  });

  it('NaN in a base64 vector is the same UPSTREAM_ERROR (naming the vector) as checkEmbeddings gives', async () => {
    const poisoned = await server.expected('two', 1536);
    poisoned[7] = Number.NaN;
    server.rewriteData = (data) =>
      data.map((item, i) => (i === 1 ? { ...item, embedding: base64(poisoned) } : item));
    const e = encoder();
    const error = await refusalOf(() => e.embed({ texts: ['one', 'two'], inputType: 'document' }));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', details: { index: 1 } });
    const one = await server.expected('one', 1536);
    expect(error).toEqual(
      await refusalOf(() =>
        checkEmbeddings([one, poisoned], { count: 2, dimension: 1536, normalize: false, source: source(e) }),
      ),
    );
  });

  it('normalize gives the vectors checkEmbeddings normalises', async () => {
    const scale = (v: Float32Array) => v.map((x) => x * 3);
    server.rewriteData = (data) =>
      data.map((item) =>
        Array.isArray(item.embedding) ? { ...item, embedding: item.embedding.map((x) => x * 3) } : item,
      );
    const texts = ['alpha', 'beta'];
    const { embeddings } = await encoder({ normalize: true, encodingFormat: 'float' }).embed({
      texts,
      inputType: 'document',
    });
    const raw = await Promise.all(texts.map(async (t) => scale(await server.expected(t, 1536))));
    const kit = checkEmbeddings(raw, { count: 2, dimension: 1536, normalize: true, source: 'kit' });
    embeddings.forEach((v, i) => {
      expect(maxAbsDiff(v, kit[i]!)).toBeLessThanOrEqual(1e-7);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    });
  });

  it('puts vectors in input order by their index, and refuses repeated indices instead of leaving a hole', async () => {
    const texts = ['first', 'second', 'third'];
    server.rewriteData = (data) => [...data].reverse();
    const { embeddings } = await encoder().embed({ texts, inputType: 'document' });
    for (const [i, text] of texts.entries()) {
      expect(maxAbsDiff(embeddings[i]!, await server.expected(text, 1536))).toBeLessThanOrEqual(1e-7);
    }
    server.rewriteData = (data) => data.map((item) => ({ ...item, index: 0 }));
    const error = await refusalOf(() => encoder().embed({ texts, inputType: 'document' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('missing or repeated indices');
  });
});

describe('errors and retries', () => {
  it('maps a bad key to AUTH_ERROR without retrying', async () => {
    const error = await rejectionOf(
      encoder({ apiKey: 'sk-wrong' }).embed({ texts: ['x'], inputType: 'document' }),
    );
    expect(error.code).toBe('AUTH_ERROR');
    expect(error.message).toContain('Incorrect API key');
    expect(server.requests).toHaveLength(1);
  });

  it('needs an API key for api.openai.com only; with a baseURL and no key it sends no Authorization', async () => {
    const saved = { key: process.env.OPENAI_API_KEY, base: process.env.OPENAI_BASE_URL };
    delete process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_BASE_URL;
    try {
      let error: unknown;
      try {
        createOpenAIEncoder({ model: 'text-embedding-3-small' });
      } catch (caught) {
        error = caught;
      }
      expect(error).toMatchObject({ code: 'INVALID_CONFIG', details: { issues: [{ path: 'apiKey' }] } });
      expect(String(error)).toMatch(/OPENAI_API_KEY/);
      // The fake demands sk-test-ragloom, so a keyless request comes back 401 — after being sent without a header.
      const keyless = createOpenAIEncoder({ model: 'text-embedding-3-small', baseURL: server.url });
      expect((await rejectionOf(keyless.embed({ texts: ['x'], inputType: 'document' }))).code).toBe(
        'AUTH_ERROR',
      );
      expect(server.requests).toHaveLength(1);
      expect(server.requests[0]!.authorization).toBeUndefined();
    } finally {
      if (saved.key !== undefined) process.env.OPENAI_API_KEY = saved.key;
      if (saved.base !== undefined) process.env.OPENAI_BASE_URL = saved.base;
    }
  });

  it('an unknown model is MODEL_NOT_FOUND naming it, as in the generator', async () => {
    const error = await rejectionOf(
      encoder({ model: 'no-such-model', dimension: 8 }).embed({ texts: ['x'], inputType: 'document' }),
    );
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('no-such-model');
    expect(error.details.status).toBe(404);
  });

  it('a wrong baseURL (404 not about a model) is NOT_FOUND with a hint', async () => {
    const error = await rejectionOf(
      encoder({ baseURL: `${server.url}/wrong` }).embed({ texts: ['x'], inputType: 'document' }),
    );
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toContain('is `baseURL` right?');
  });

  it('honours x-should-retry: false on a 503 and true on a 400', async () => {
    server.failNext(1, 503, { message: 'overloaded', type: 'server_error' }, { 'x-should-retry': 'false' });
    const error = await rejectionOf(encoder().embed({ texts: ['x'], inputType: 'document' }));
    expect(error).toMatchObject({ code: 'UPSTREAM_ERROR', retryable: false });
    expect(server.requests).toHaveLength(1);
    server.failNext(
      1,
      400,
      { message: 'try again', type: 'invalid_request_error' },
      { 'x-should-retry': 'true' },
    );
    await encoder().embed({ texts: ['x'], inputType: 'document' });
    expect(server.requests).toHaveLength(3);
  });

  it('retries twice by default, as the generator does', async () => {
    // Three failures: a third retry would have succeeded.
    server.failNext(3, 503, { message: 'Service unavailable', type: 'server_error' });
    const error = await rejectionOf(encoder().embed({ texts: ['x'], inputType: 'document' }));
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(server.requests).toHaveLength(3);
  });

  it('retries 5xx with backoff and jitter, then succeeds', async () => {
    server.failNext(2, 500, {
      message: 'The server had an error while processing your request.',
      type: 'server_error',
    });
    const retries: RetryEvent[] = [];
    const { embeddings } = await encoder({ onRetry: (e) => retries.push(e) }).embed({
      texts: ['x'],
      inputType: 'document',
    });
    expect(embeddings).toHaveLength(1);
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.attempt)).toEqual([1, 2]);
    expect(retries.every((r) => !r.fromServer && r.error.code === 'UPSTREAM_ERROR')).toBe(true);
    // jitter keeps each delay within [nominal/2, nominal)
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(5);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(10);
    expect(retries[1]!.delayMs).toBeGreaterThanOrEqual(10);
    expect(retries[1]!.delayMs).toBeLessThanOrEqual(20);
  });

  it('gives up after maxRetries with a retryable UPSTREAM_ERROR', async () => {
    server.failNext(3, 503, { message: 'Service unavailable', type: 'server_error' });
    const error = await rejectionOf(
      encoder({ maxRetries: 2 }).embed({ texts: ['x'], inputType: 'document' }),
    );
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.retryable).toBe(true);
    expect(error.details.status).toBe(503);
    expect(server.requests).toHaveLength(3);
  });

  it('honours Retry-After from a rate-limited server', async () => {
    server.rateLimit = { requests: 2, windowMs: 300 };
    const retries: RetryEvent[] = [];
    const e = encoder({ maxBatchSize: 1, onRetry: (r) => retries.push(r) });
    const started = Date.now();
    const { embeddings } = await e.embed({ texts: ['a', 'b', 'c', 'd'], inputType: 'document' });
    expect(embeddings).toHaveLength(4);
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.every((r) => r.fromServer && r.error.code === 'RATE_LIMITED')).toBe(true);
    expect(retries[0]!.delayMs).toBeGreaterThan(100);
    expect(Date.now() - started).toBeGreaterThanOrEqual(retries.reduce((n, r) => n + r.delayMs, 0));
  });

  it('reads Retry-After in seconds when retry-after-ms is absent', async () => {
    server.failNext(
      1,
      429,
      { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      {
        'retry-after': '1',
      },
    );
    const retries: RetryEvent[] = [];
    await encoder({ onRetry: (r) => retries.push(r) }).embed({ texts: ['x'], inputType: 'document' });
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ delayMs: 1000, fromServer: true });
    expect(
      parseRetryAfter(new Headers({ 'retry-after': new Date(Date.now() + 5000).toUTCString() })),
    ).toBeGreaterThan(3000);
  });

  it('fails at once when the server asks to wait longer than maxRetryAfterMs', async () => {
    server.failNext(
      1,
      429,
      { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' },
      {
        'retry-after': '120',
      },
    );
    const error = await rejectionOf(encoder().embed({ texts: ['x'], inputType: 'document' }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details.retryAfterMs).toBe(120_000);
    expect(server.requests).toHaveLength(1);
  });

  it('does not retry an exhausted quota', async () => {
    server.failNext(1, 429, {
      message: 'You exceeded your current quota, please check your plan and billing details.',
      type: 'insufficient_quota',
      code: 'insufficient_quota',
    });
    const error = await rejectionOf(encoder().embed({ texts: ['x'], inputType: 'document' }));
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.retryable).toBe(false);
    expect(server.requests).toHaveLength(1);
  });

  it('times out a slow server (TIMEOUT) and retries it', async () => {
    server.delayMs = 400;
    const error = await rejectionOf(
      encoder({ timeoutMs: 100, maxRetries: 1 }).embed({ texts: ['x'], inputType: 'document' }),
    );
    expect(error.code).toBe('TIMEOUT');
    expect(error.retryable).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    expect(server.requests).toHaveLength(2);
  });

  it('aborts a request in flight (ABORTED) without retrying', async () => {
    server.delayMs = 400;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const started = Date.now();
    const error = await rejectionOf(
      encoder().embed({ texts: ['x'], inputType: 'document', signal: controller.signal }),
    );
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(350);
  });

  it('reports an unreachable endpoint as CONNECTION_ERROR naming it', async () => {
    const error = await rejectionOf(
      encoder({ baseURL: 'http://127.0.0.1:9/v1', maxRetries: 1 }).embed({
        texts: ['x'],
        inputType: 'document',
      }),
    );
    expect(error.code).toBe('CONNECTION_ERROR');
    expect(error.message).toContain('http://127.0.0.1:9/v1/embeddings');
    expect(error.retryable).toBe(true);
  });

  it('rejects bad input before any request', async () => {
    const e = encoder();
    for (const request of [
      { texts: 'x', inputType: 'document' },
      { texts: ['ok', 3], inputType: 'document' },
      { texts: [''], inputType: 'document' },
      { texts: ['ok'], inputType: 'passage' },
    ]) {
      expect((await rejectionOf(e.embed(request as never))).code, JSON.stringify(request)).toBe(
        'INVALID_ARGUMENT',
      );
    }
    expect(server.requests).toEqual([]);
    for (const options of [
      { maxBatchSize: 0 },
      { dimensions: -1 },
      { timeoutMs: 1.5 },
      { encodingFormat: 'hex' },
    ]) {
      expect(() => encoder(options as never), JSON.stringify(options)).toThrowError();
    }
  });
});
