import {
  type GenerateRequest,
  type GenerateStreamPart,
  isRagloomError,
  type RagloomErrorCode,
} from '@ragloom/core';
import { applyStopSequences } from '@ragloom/core/adapter';
import { startLocalServer } from '@ragloom/test-utils';
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createOpenAIGenerator, type OpenAIGeneratorOptions, type RetryEvent } from '../src/index.js';
import { type FakeOpenAIServer, REPLY_TOKENS, startFakeOpenAIServer } from './support/fake-openai-server.js';

const messages = [
  { role: 'system', content: 'You tell short stories.' },
  { role: 'user', content: 'Tell me about the cat.' },
] as const;

async function collect(parts: AsyncIterable<GenerateStreamPart>) {
  const deltas: string[] = [];
  const finishes: Extract<GenerateStreamPart, { type: 'finish' }>[] = [];
  for await (const part of parts) {
    if (part.type === 'text-delta') {
      expect(finishes).toHaveLength(0); // no text after the finish part
      deltas.push(part.delta);
    } else finishes.push(part);
  }
  expect(finishes).toHaveLength(1);
  return {
    deltas,
    text: deltas.join(''),
    finish: finishes[0] as Extract<GenerateStreamPart, { type: 'finish' }>,
  };
}

async function expectCode(promise: Promise<unknown>, code: RagloomErrorCode) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRagloomError(error), `expected a RagloomError ${code}, got ${String(error)}`).toBe(true);
  expect((error as { code: string }).code).toBe(code);
  return error as { code: string; message: string; details: Record<string, unknown>; retryable: boolean };
}

const drain = async (parts: AsyncIterable<GenerateStreamPart>) => {
  for await (const _ of parts) {
    // consume
  }
};

describe('generator-openai against a protocol-faithful local server', () => {
  let server: FakeOpenAIServer;
  const make = (overrides: Partial<OpenAIGeneratorOptions> = {}) =>
    createOpenAIGenerator({
      model: 'fake-model',
      baseURL: server.baseURL,
      apiKey: 'sk-test',
      initialRetryDelayMs: 5,
      ...overrides,
    });

  beforeAll(async () => {
    server = await startFakeOpenAIServer({ apiKey: 'sk-test', contextLength: 200 });
  });
  afterAll(() => server.close());
  afterEach(() => {
    server.requests.length = 0;
    server.faults.length = 0;
  });

  it('generate sends the request the API expects and maps text, finish reason and usage', async () => {
    const result = await make().generate({ messages, maxTokens: 100, temperature: 0, topP: 0.9, seed: 42 });
    const expected = server.tokensFor({ messages, temperature: 0 }).join('');
    expect(result.text).toBe(expected);
    expect(result.finishReason).toBe('stop');
    const promptTokens = 3 + (3 + 4) + (3 + 5);
    expect(result.usage).toEqual({
      promptTokens,
      completionTokens: REPLY_TOKENS,
      totalTokens: promptTokens + REPLY_TOKENS,
    });
    const [request] = server.requests;
    expect(request?.headers.authorization).toBe('Bearer sk-test');
    expect(request?.body).toMatchObject({
      model: 'fake-model',
      messages,
      max_tokens: 100,
      temperature: 0,
      top_p: 0.9,
      seed: 42,
    });
    expect(request?.body.stream).toBeUndefined();
  });

  it('stream yields deltas that concatenate to generate, then one finish part with usage', async () => {
    const generator = make();
    const request: GenerateRequest = { messages, temperature: 0, seed: 42 };
    const generated = await generator.generate(request);
    const streamed = await collect(generator.stream(request));
    expect(streamed.text).toBe(generated.text);
    expect(streamed.deltas.length).toBeGreaterThan(10);
    expect(streamed.finish.finishReason).toBe('stop');
    expect(streamed.finish.usage).toEqual(generated.usage);
    expect(server.requests[1]?.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('maxTokens ends with finish reason length and counts exactly that many tokens', async () => {
    const generator = make();
    const generated = await generator.generate({ messages, temperature: 0, maxTokens: 5 });
    const streamed = await collect(generator.stream({ messages, temperature: 0, maxTokens: 5 }));
    for (const { finishReason, usage } of [generated, streamed.finish]) {
      expect(finishReason).toBe('length');
      expect(usage.completionTokens).toBe(5);
    }
    expect(streamed.text).toBe(server.tokensFor({ messages, temperature: 0 }).slice(0, 5).join(''));
    expect(generated.text).toBe(streamed.text);
  });

  it('same seed gives the same sampled text; another seed gives another', async () => {
    const generator = make();
    const a = await generator.generate({ messages, temperature: 1, seed: 7 });
    const b = await generator.generate({ messages, temperature: 1, seed: 7 });
    const c = await generator.generate({ messages, temperature: 1, seed: 8 });
    expect(a.text).toBe(b.text);
    expect(c.text).not.toBe(a.text);
  });

  it('stop sequences: the server cuts the first four, the client cuts the rest even across chunk boundaries', async () => {
    const generator = make();
    const tokens = server.tokensFor({ messages, temperature: 0 });
    // A stop string that straddles tokens 6 and 7 (end of one, start of the next).
    const straddle = `${(tokens[5] ?? '').slice(-2)}${(tokens[6] ?? '').slice(0, 2)}`;
    const full = tokens.join('');
    const cut = full.indexOf(straddle);
    expect(cut).toBeGreaterThan(0);
    const stop = ['@@1', '@@2', '@@3', '@@4', straddle];
    const generated = await generator.generate({ messages, temperature: 0, stop });
    const streamed = await collect(generator.stream({ messages, temperature: 0, stop }));
    expect(server.requests[0]?.body.stop).toEqual(['@@1', '@@2', '@@3', '@@4']);
    for (const result of [generated, { text: streamed.text, finishReason: streamed.finish.finishReason }]) {
      expect(result.text).toBe(full.slice(0, cut));
      expect(result.finishReason).toBe('stop');
    }
    expect(streamed.deltas.some((d) => d.includes(straddle))).toBe(false);
  });

  it("client-side stop sequences stream what the kit's applyStopSequences gives, tails held back across chunks", async () => {
    const tokens = server.tokensFor({ messages, temperature: 0 });
    const full = tokens.join('');
    const { finishReason: serverFinish } = await make().generate({ messages, temperature: 0 });
    // What the server streams, one token per chunk, as stream parts.
    async function* serverParts(): AsyncGenerator<GenerateStreamPart> {
      for (const delta of tokens) yield { type: 'text-delta', delta };
      yield {
        type: 'finish',
        finishReason: serverFinish,
        usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
      };
    }
    const straddle = `${(tokens[5] ?? '').slice(-2)}${(tokens[6] ?? '').slice(0, 2)}`;
    // Starts with the reply's last two characters but never completes: held back to the end, then sent.
    const unfinished = `${full.slice(-2)}\u0000never`;
    for (const stop of [[straddle], [unfinished], ['no such text', straddle]]) {
      // The server is told none of them, so the client alone cuts.
      const generator = make({ maxServerStopSequences: 0 });
      const streamed = await collect(generator.stream({ messages, temperature: 0, stop }));
      const kit = await collect(applyStopSequences(serverParts(), { stop }, () => streamed.finish.usage));
      expect(streamed.deltas, JSON.stringify(stop)).toEqual(kit.deltas);
      expect(streamed.finish.finishReason).toBe(kit.finish.finishReason);
    }
    const held = await collect(
      make({ maxServerStopSequences: 0 }).stream({ messages, temperature: 0, stop: [unfinished] }),
    );
    expect(held.text).toBe(full);
    // The last token's final two characters came only once the stream finished, as a part of their own.
    expect(tokens.at(-1)!.length).toBeGreaterThan(2);
    expect(held.deltas.at(-1)).toBe(full.slice(-2));
    expect(held.finish.finishReason).toBe(serverFinish);
  });

  it('stop sequences the server honours end the text before the match', async () => {
    const tokens = server.tokensFor({ messages, temperature: 0 });
    const stop = tokens[3] ?? '';
    const full = tokens.join('');
    const result = await make().generate({ messages, temperature: 0, stop: [stop] });
    expect(result.text).toBe(full.slice(0, full.indexOf(stop)));
    expect(result.finishReason).toBe('stop');
    expect(server.requests[0]?.body.stop).toEqual([stop]);
  });

  it('errors map to stable codes: auth, unknown model, context length, bad request, quota', async () => {
    const auth = await expectCode(make({ apiKey: 'wrong' }).generate({ messages }), 'AUTH_ERROR');
    expect(auth.message).toContain('401');
    const model = await expectCode(make({ model: 'nope' }).generate({ messages }), 'MODEL_NOT_FOUND');
    expect(model.message).toContain('nope');
    const long = 'word '.repeat(300);
    await expectCode(
      make().generate({ messages: [{ role: 'user', content: long }] }),
      'CONTEXT_LENGTH_EXCEEDED',
    );
    await expectCode(
      make()
        .stream({ messages: [{ role: 'user', content: long }] })
        [Symbol.asyncIterator]()
        .next(),
      'CONTEXT_LENGTH_EXCEEDED',
    );
    server.faults.push({
      kind: 'status',
      status: 400,
      message: 'temperature is out of range',
      type: 'invalid_request_error',
    });
    const bad = await expectCode(make().generate({ messages }), 'INVALID_ARGUMENT');
    expect(bad.message).toContain('temperature is out of range');
    server.faults.push({
      kind: 'status',
      status: 429,
      code: 'insufficient_quota',
      type: 'insufficient_quota',
      message: 'You exceeded your current quota',
    });
    const quota = await expectCode(make({ maxRetries: 3 }).generate({ messages }), 'RATE_LIMITED');
    expect(quota.retryable).toBe(false);
    expect(
      server.requests.filter(
        (r) => r.body.model === 'fake-model' && r.headers.authorization === 'Bearer sk-test',
      ),
    ).toHaveLength(4);
  });

  it('retries 429 honouring retry-after-ms and Retry-After, then succeeds', async () => {
    const retries: RetryEvent[] = [];
    const generator = make({ onRetry: (e) => retries.push(e) });
    server.faults.push(
      {
        kind: 'status',
        status: 429,
        message: 'Rate limit reached',
        code: 'rate_limit_exceeded',
        type: 'requests',
        headers: { 'retry-after-ms': '40' },
      },
      {
        kind: 'status',
        status: 429,
        message: 'Rate limit reached',
        code: 'rate_limit_exceeded',
        type: 'requests',
        headers: { 'retry-after': '1' },
      },
    );
    const started = Date.now();
    const result = await generator.generate({ messages, temperature: 0 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(result.text).toBe(server.tokensFor({ messages, temperature: 0 }).join(''));
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => [r.attempt, r.delayMs, r.fromServer, r.error.code])).toEqual([
      [1, 40, true, 'RATE_LIMITED'],
      [2, 1000, true, 'RATE_LIMITED'],
    ]);
  });

  it('retries 5xx with exponential backoff, also before a stream starts', async () => {
    const retries: RetryEvent[] = [];
    const generator = make({ onRetry: (e) => retries.push(e), initialRetryDelayMs: 20 });
    server.faults.push({ kind: 'status', status: 500 }, { kind: 'status', status: 503 });
    const streamed = await collect(generator.stream({ messages, temperature: 0 }));
    expect(streamed.text).toBe(server.tokensFor({ messages, temperature: 0 }).join(''));
    expect(server.requests).toHaveLength(3);
    expect(retries.map((r) => r.fromServer)).toEqual([false, false]);
    // 20 ms then 40 ms nominal, each with at most 25% jitter below.
    expect(retries[0]?.delayMs).toBeGreaterThanOrEqual(15);
    expect(retries[0]?.delayMs).toBeLessThanOrEqual(20);
    expect(retries[1]?.delayMs).toBeGreaterThanOrEqual(30);
    expect(retries[1]?.delayMs).toBeLessThanOrEqual(40);
  });

  it('gives up after maxRetries with the last error, and at once when Retry-After is too long', async () => {
    server.faults.push(
      ...Array.from({ length: 3 }, () => ({ kind: 'status' as const, status: 502, message: 'bad gateway' })),
    );
    const exhausted = await expectCode(make({ maxRetries: 2 }).generate({ messages }), 'UPSTREAM_ERROR');
    expect(exhausted.details.status).toBe(502);
    expect(exhausted.retryable).toBe(true);
    expect(server.requests).toHaveLength(3);

    server.requests.length = 0;
    server.faults.push({
      kind: 'status',
      status: 429,
      message: 'slow down',
      headers: { 'retry-after': '120' },
    });
    const started = Date.now();
    const limited = await expectCode(
      make({ maxRetryAfterMs: 10_000 }).generate({ messages }),
      'RATE_LIMITED',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(limited.details.retryAfterMs).toBe(120_000);
    expect(server.requests).toHaveLength(1);
  });

  it('a server error event mid-stream fails the stream with UPSTREAM_ERROR after the text so far', async () => {
    server.faults.push({
      kind: 'error-event',
      afterTokens: 4,
      message: 'The server had an error while processing your request.',
    });
    const deltas: string[] = [];
    const error = await expectCode(
      (async () => {
        for await (const part of make().stream({ messages, temperature: 0 }))
          if (part.type === 'text-delta') deltas.push(part.delta);
      })(),
      'UPSTREAM_ERROR',
    );
    expect(error.message).toContain('The server had an error');
    expect(deltas.join('')).toBe(server.tokensFor({ messages, temperature: 0 }).slice(0, 4).join(''));
    expect(server.requests).toHaveLength(1); // text was emitted: no retry
  });

  it('a dropped connection or a stream closed without finish_reason is an error, not a short answer', async () => {
    server.faults.push({ kind: 'drop', afterTokens: 3 });
    const deltas: string[] = [];
    const dropped = await (async () => {
      for await (const part of make({ maxRetries: 0 }).stream({ messages, temperature: 0 })) {
        if (part.type === 'text-delta') deltas.push(part.delta);
      }
    })().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isRagloomError(dropped), String(dropped)).toBe(true);
    expect((dropped as { code: string }).code).toBe('CONNECTION_ERROR');
    expect((dropped as Error).message).toContain('closed');
    expect(deltas.join('')).toBe(server.tokensFor({ messages, temperature: 0 }).slice(0, 3).join(''));

    server.faults.length = 0;
    server.faults.push({ kind: 'truncate', afterTokens: 3 });
    const truncated = await expectCode(drain(make().stream({ messages })), 'UPSTREAM_ERROR');
    expect(truncated.message).toContain('finish_reason');
  });

  it('a body that is not JSON is an UPSTREAM_ERROR', async () => {
    server.faults.push({ kind: 'invalid-json' });
    await expectCode(make({ maxRetries: 0 }).generate({ messages }), 'UPSTREAM_ERROR');
  });

  it('times out when headers do not come, and when a stream stalls; a slow steady stream is fine', async () => {
    server.faults.push({ kind: 'delay-headers', ms: 3000 });
    let started = Date.now();
    const headers = await expectCode(
      make({ timeoutMs: 200, maxRetries: 0 }).generate({ messages }),
      'TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(headers.retryable).toBe(true);

    server.faults.push({ kind: 'stall', afterTokens: 2 });
    const deltas: string[] = [];
    started = Date.now();
    await expectCode(
      (async () => {
        for await (const part of make({ timeoutMs: 300, maxRetries: 0 }).stream({ messages, temperature: 0 }))
          if (part.type === 'text-delta') deltas.push(part.delta);
      })(),
      'TIMEOUT',
    );
    expect(Date.now() - started).toBeLessThan(2500);
    expect(deltas.join('')).toBe(server.tokensFor({ messages, temperature: 0 }).slice(0, 2).join(''));

    // 24 tokens 40 ms apart take ~1 s, longer than the timeout, but no gap comes near it.
    server.faults.push({ kind: 'slow-tokens', gapMs: 40 });
    const slow = await collect(make({ timeoutMs: 400 }).stream({ messages, temperature: 0 }));
    expect(slow.finish.finishReason).toBe('stop');
  });

  it('abort: before the call nothing is sent; mid-stream and during a retry wait it rejects promptly with ABORTED', async () => {
    const before = new AbortController();
    before.abort();
    await expectCode(make().generate({ messages, signal: before.signal }), 'ABORTED');
    await expectCode(drain(make().stream({ messages, signal: before.signal })), 'ABORTED');
    expect(server.requests).toHaveLength(0);

    server.faults.push({ kind: 'stall', afterTokens: 3 });
    const mid = new AbortController();
    const deltas: string[] = [];
    const started = Date.now();
    await expectCode(
      (async () => {
        for await (const part of make().stream({ messages, signal: mid.signal })) {
          if (part.type === 'text-delta') deltas.push(part.delta);
          if (deltas.length === 3) setTimeout(() => mid.abort(), 50);
        }
      })(),
      'ABORTED',
    );
    expect(Date.now() - started).toBeLessThan(1500);

    server.faults.push({ kind: 'status', status: 429, message: 'wait', headers: { 'retry-after': '30' } });
    const waiting = new AbortController();
    setTimeout(() => waiting.abort(), 100);
    const retryStarted = Date.now();
    await expectCode(make().generate({ messages, signal: waiting.signal }), 'ABORTED');
    expect(Date.now() - retryStarted).toBeLessThan(1500);
  });

  it('rejects bad requests and options with typed errors before sending anything', async () => {
    const generator = make();
    const bad: unknown[] = [
      { messages: [] },
      { messages: [{ role: 'robot', content: 'x' }] },
      { messages: [{ role: 'user', content: 3 }] },
      { messages, maxTokens: 0 },
      { messages, maxTokens: 1.5 },
      { messages, temperature: -1 },
      { messages, temperature: Number.NaN },
      { messages, topP: 0 },
      { messages, topK: 0 },
      { messages, seed: 0.5 },
      { messages, stop: 'x' },
    ];
    for (const request of bad) {
      const error = await expectCode(generator.generate(request as GenerateRequest), 'INVALID_ARGUMENT');
      expect(error.details.field).toBeTypeOf('string');
      await expectCode(drain(generator.stream(request as GenerateRequest)), 'INVALID_ARGUMENT');
    }
    expect(server.requests).toHaveLength(0);
    expect(() => createOpenAIGenerator({ model: '', baseURL: server.baseURL })).toThrow(/model/);
    expect(() => createOpenAIGenerator({ model: 'm', baseURL: server.baseURL, timeoutMs: -5 })).toThrow(
      /timeout/,
    );
  });

  it('options follow the shared OpenAI-compatible rules: timeoutMs (not timeout), INVALID_CONFIG naming the field', () => {
    const invalid = (options: Record<string, unknown>) => {
      try {
        createOpenAIGenerator({ model: 'm', baseURL: server.baseURL, ...options } as OpenAIGeneratorOptions);
      } catch (error) {
        return error as { code: string; details: { issues: Array<{ path: string }> } };
      }
      throw new Error(`accepted ${JSON.stringify(options)}`);
    };
    for (const [options, path] of [
      [{ timeout: 1000 }, 'timeout'],
      [{ timeoutMs: 0 }, 'timeoutMs'],
      [{ maxRetries: 1.5 }, 'maxRetries'],
      [{ maxServerStopSequences: -1 }, 'maxServerStopSequences'],
      [{ baseURL: 'localhost:8000' }, 'baseURL'],
    ] as const) {
      const error = invalid(options);
      expect(error.code).toBe('INVALID_CONFIG');
      expect(error.details.issues.map((i) => i.path)).toEqual([path]);
    }
  });

  it('with a baseURL and no key it sends no Authorization header at all', async () => {
    const open = await startFakeOpenAIServer();
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      const generator = createOpenAIGenerator({ model: 'fake-model', baseURL: open.baseURL });
      await generator.generate({ messages, temperature: 0 });
      expect(open.requests).toHaveLength(1);
      expect(open.requests[0]!.headers.authorization).toBeUndefined();
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
      await open.close();
    }
  });

  it('passes provider options, extra body fields, top_k when allowed, and max_completion_tokens on request', async () => {
    const warnings: string[] = [];
    await make({ onWarning: (w) => warnings.push(w) }).generate({ messages, topK: 40 });
    expect(server.requests[0]?.body.top_k).toBeUndefined();
    expect(warnings[0]).toContain('topK');
    await make({
      sendTopK: true,
      maxTokensField: 'max_completion_tokens',
      extraBody: { repetition_penalty: 1.1 },
      provider: 'vllm',
    }).generate({
      messages,
      topK: 40,
      maxTokens: 7,
      providerOptions: { vllm: { min_p: 0.05 }, other: { ignored: true } },
    });
    expect(server.requests[1]?.body).toMatchObject({
      top_k: 40,
      max_completion_tokens: 7,
      repetition_penalty: 1.1,
      min_p: 0.05,
    });
    expect(server.requests[1]?.body.max_tokens).toBeUndefined();
    expect(server.requests[1]?.body.ignored).toBeUndefined();
  });

  it('accepts a client the user built (e.g. AzureOpenAI) and still maps errors', async () => {
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: server.baseURL, maxRetries: 0 });
    const generator = createOpenAIGenerator({ model: 'fake-model', client, provider: 'azure' });
    expect(generator.provider).toBe('azure');
    const result = await generator.generate({ messages, temperature: 0 });
    expect(result.text).toBe(server.tokensFor({ messages, temperature: 0 }).join(''));
    await expectCode(
      createOpenAIGenerator({ model: 'missing', client }).generate({ messages }),
      'MODEL_NOT_FOUND',
    );
  });

  it('a server that is not there is a CONNECTION_ERROR', async () => {
    const closed = await startLocalServer(() => undefined);
    const url = closed.url;
    await closed.close();
    const error = await expectCode(
      createOpenAIGenerator({
        model: 'm',
        baseURL: `${url}/v1`,
        maxRetries: 1,
        initialRetryDelayMs: 1,
      }).generate({ messages }),
      'CONNECTION_ERROR',
    );
    expect(error.message).toContain(url);
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});

describe('SSE framing', () => {
  it('reassembles events split at every byte boundary, with CRLF, comments, Chinese and emoji', async () => {
    for (const chunkBytes of [1, 3, 7]) {
      const server = await startFakeOpenAIServer({ chunkBytes, crlfAndComments: true });
      try {
        const generator = createOpenAIGenerator({ model: 'fake-model', baseURL: server.baseURL });
        const request = { messages: [{ role: 'user' as const, content: '讲一个故事 🙂' }], temperature: 0 };
        const streamed = await collect(generator.stream(request));
        const expected = server.tokensFor(request).join('');
        expect(streamed.text).toBe(expected);
        expect(/[\u4e00-\u9fff]|\p{Extended_Pictographic}/u.test(expected)).toBe(true);
        for (const delta of streamed.deltas) expect(delta.includes('\uFFFD')).toBe(false);
        expect(streamed.finish.usage.completionTokens).toBe(REPLY_TOKENS);
      } finally {
        await server.close();
      }
    }
  });

  it('a server that ignores stop is cut on the client; one that sends no usage gives zero counts', async () => {
    const server = await startFakeOpenAIServer({ ignoreStop: true, noUsage: true });
    try {
      const generator = createOpenAIGenerator({ model: 'fake-model', baseURL: server.baseURL });
      const request = { messages: [{ role: 'user' as const, content: 'hi' }], temperature: 0 };
      const full = server.tokensFor(request).join('');
      const stop = full.slice(10, 13);
      const streamed = await collect(generator.stream({ ...request, stop: [stop] }));
      expect(streamed.text).toBe(full.slice(0, full.indexOf(stop)));
      expect(streamed.finish.finishReason).toBe('stop');
      const generated = await generator.generate({ ...request, stop: [stop] });
      expect(generated.text).toBe(streamed.text);
      expect(generated.usage).toEqual({ promptTokens: 0, completionTokens: 0, totalTokens: 0 });
    } finally {
      await server.close();
    }
  });
});
