import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModelV3StreamPart } from '@ai-sdk/provider';
import { type GenerateRequest, isRagloomError, type RetryEvent } from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { simulateReadableStream } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createAiSdkGenerator } from '../src/index.js';
import { API_KEY, type BackingServer, CHAT_MODEL, startBackingServer } from './support/backing-server.js';

const usage = (input: number, output: number) => ({
  inputTokens: { total: input, noCache: input, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [
    { role: 'system', content: 'Repeat the question.' },
    { role: 'user', content },
  ],
  ...extra,
});

/** A V3 mock whose stream sends these parts (text deltas in one block, then finish). */
function streamingModel(parts: LanguageModelV3StreamPart[], chunkDelayInMs: number | null = null) {
  return new MockLanguageModelV3({
    provider: 'mock.chat',
    modelId: 'mock-1',
    doStream: async () => ({ stream: simulateReadableStream({ chunks: parts, chunkDelayInMs }) }),
  });
}

const textParts = (deltas: string[]): LanguageModelV3StreamPart[] => [
  { type: 'stream-start', warnings: [] },
  { type: 'text-start', id: 't' },
  ...deltas.map((delta): LanguageModelV3StreamPart => ({ type: 'text-delta', id: 't', delta })),
  { type: 'text-end', id: 't' },
];

async function collect(stream: AsyncIterable<{ type: string; delta?: string }>) {
  const parts: unknown[] = [];
  let text = '';
  for await (const part of stream) {
    parts.push(part);
    if (part.type === 'text-delta') text += part.delta;
  }
  return { parts, text, finish: parts.at(-1) };
}

describe('createAiSdkGenerator over @ai-sdk/openai-compatible (AI SDK 6) and a local server', () => {
  let backing: BackingServer;
  const model = () =>
    createOpenAICompatible({
      name: 'local',
      baseURL: backing.server.baseURL,
      apiKey: API_KEY,
      includeUsage: true,
    }).chatModel(CHAT_MODEL);
  beforeAll(async () => {
    backing = await startBackingServer();
  });
  afterAll(() => backing.close());

  test('answers exactly what the model behind the API answers, generated and streamed', async () => {
    const generator = createAiSdkGenerator({ model: model(), maxRetries: 0 });
    const request = ask('Where did the little cat find the red ball today?', { maxTokens: 6 });
    const peer = await backing.generator.generate(request);
    expect(peer.finishReason).toBe('length');
    expect(await generator.generate(request)).toEqual(peer);
    const streamed = await collect(generator.stream(request));
    expect(streamed.text).toBe(peer.text);
    expect(streamed.finish).toEqual({ type: 'finish', finishReason: 'length', usage: peer.usage });
    expect(generator.provider).toBe('local.chat');
    expect(generator.modelId).toBe(CHAT_MODEL);
  });

  test('sends the request settings as the provider spec says, and all stop sequences', async () => {
    const generator = createAiSdkGenerator({ model: model(), maxRetries: 0, headers: { 'x-trace': 'abc' } });
    const stop = ['ball', 'garden', 'tree', 'house', 'sky'];
    const result = await generator.generate(
      ask('The cat saw a red ball in the garden', {
        maxTokens: 30,
        temperature: 0.5,
        topP: 0.9,
        seed: 7,
        stop,
      }),
    );
    expect(result).toMatchObject({ text: 'The cat saw a red ', finishReason: 'stop' });
    const sent = backing.server.requests.at(-1)!;
    expect(sent.body).toMatchObject({ max_tokens: 30, temperature: 0.5, top_p: 0.9, seed: 7, stop });
    expect(sent.headers['x-trace']).toBe('abc');
    expect(sent.body.messages).toEqual([
      { role: 'system', content: 'Repeat the question.' },
      { role: 'user', content: 'The cat saw a red ball in the garden' },
    ]);
  });

  test('retries a 429 after the wait the server asks for, and reports the retry', async () => {
    const retries: RetryEvent[] = [];
    const generator = createAiSdkGenerator({ model: model(), onRetry: (e) => retries.push(e) });
    backing.server.faults.push({ status: 429, message: 'slow down', headers: { 'retry-after-ms': '20' } });
    const result = await generator.generate(ask('hello there friend'));
    expect(result.text).toBe('hello there friend');
    expect(retries).toHaveLength(1);
    expect(retries[0]).toMatchObject({ attempt: 1, delayMs: 20, fromServer: true });
    expect(retries[0]!.error.code).toBe('RATE_LIMITED');
  });

  test('maps HTTP failures through the one status map', async () => {
    const generator = createAiSdkGenerator({ model: model(), maxRetries: 1, initialRetryDelayMs: 1 });
    const cases = [
      { fault: { status: 401, message: 'bad key' }, code: 'AUTH_ERROR', retryable: false, requests: 1 },
      {
        fault: { status: 404, message: 'no such model' },
        code: 'MODEL_NOT_FOUND',
        retryable: false,
        requests: 1,
      },
      {
        fault: { status: 400, message: "This model's maximum context length is 8192 tokens" },
        code: 'CONTEXT_LENGTH_EXCEEDED',
        retryable: false,
        requests: 1,
      },
      {
        fault: { status: 422, message: 'temperature: out of range' },
        code: 'INVALID_ARGUMENT',
        retryable: false,
        requests: 1,
      },
      { fault: { status: 503, message: 'overloaded' }, code: 'UPSTREAM_ERROR', retryable: true, requests: 2 },
    ];
    for (const c of cases) {
      const before = backing.server.requests.length;
      backing.server.faults.push(c.fault, c.fault);
      const error = await rejectionOf(generator.generate(ask('anything at all')));
      backing.server.faults.length = 0;
      expect(error.code, `HTTP ${c.fault.status}`).toBe(c.code);
      expect(error.retryable, `HTTP ${c.fault.status}`).toBe(c.retryable);
      expect(error.message).toContain(c.fault.message);
      expect(error.details.status).toBe(c.fault.status);
      expect(backing.server.requests.length - before, `requests for HTTP ${c.fault.status}`).toBe(c.requests);
    }
  });

  test('a refused connection is CONNECTION_ERROR, retried', async () => {
    const closed = await startBackingServer();
    const baseURL = closed.server.baseURL;
    await closed.close();
    const retries: RetryEvent[] = [];
    const generator = createAiSdkGenerator({
      model: createOpenAICompatible({ name: 'gone', baseURL, apiKey: API_KEY }).chatModel(CHAT_MODEL),
      maxRetries: 1,
      initialRetryDelayMs: 1,
      onRetry: (e) => retries.push(e),
    });
    const error = await rejectionOf(generator.generate(ask('hello')));
    expect(error.code).toBe('CONNECTION_ERROR');
    expect(retries).toHaveLength(1);
  });

  test('an abort mid-stream stops the request on the server and rejects with ABORTED', async () => {
    const generator = createAiSdkGenerator({ model: model(), maxRetries: 0 });
    const controller = new AbortController();
    const long = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const part of generator.stream(ask(long, { signal: controller.signal }))) {
          if (part.type === 'text-delta') seen.push(part.delta);
          if (seen.length === 3) controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('ABORTED');
    expect(seen).toHaveLength(3);
    // The server saw the client go away and stopped generating (it streams a word per millisecond).
    await expect.poll(() => backing.server.inFlight.now, { timeout: 2000 }).toBe(0);
  });
});

describe('createAiSdkGenerator with the AI SDK mock models', () => {
  test('finish reasons: unified values map over, tool calls are "other"', async () => {
    const cases: [
      unified: 'stop' | 'length' | 'content-filter' | 'tool-calls' | 'error' | 'other',
      expected: string,
    ][] = [
      ['stop', 'stop'],
      ['length', 'length'],
      ['content-filter', 'content-filter'],
      ['tool-calls', 'other'],
      ['error', 'error'],
      ['other', 'other'],
    ];
    for (const [unified, expected] of cases) {
      const model = new MockLanguageModelV3({
        doGenerate: async () => ({
          content: [{ type: 'text', text: 'hi' }],
          finishReason: { unified, raw: `raw-${unified}` },
          usage: usage(3, 1),
          warnings: [],
        }),
        doStream: async () => ({
          stream: simulateReadableStream({
            chunks: [
              ...textParts(['hi']),
              { type: 'finish', finishReason: { unified, raw: undefined }, usage: usage(3, 1) },
            ],
          }),
        }),
      });
      const generator = createAiSdkGenerator({ model });
      expect((await generator.generate(ask('x'))).finishReason, unified).toBe(expected);
      expect((await collect(generator.stream(ask('x')))).finish, unified).toMatchObject({
        finishReason: expected,
      });
    }
  });

  test('usage: totals taken from the nested V3 counts; missing counts are 0', async () => {
    const model = streamingModel([
      ...textParts(['a', 'b']),
      {
        type: 'finish',
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 12, noCache: 2, cacheRead: 10, cacheWrite: undefined },
          outputTokens: { total: undefined, text: undefined, reasoning: undefined },
        },
      },
    ]);
    const { finish } = await collect(createAiSdkGenerator({ model }).stream(ask('x')));
    expect(finish).toEqual({
      type: 'finish',
      finishReason: 'stop',
      usage: { promptTokens: 12, completionTokens: 0, totalTokens: 12 },
    });
  });

  test('stop sequences are cut on the client when a provider ignores them, across deltas', async () => {
    const model = streamingModel([
      ...textParts(['The cat', ' sat on', ' the m', 'at and', ' slept']),
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(3, 5) },
    ]);
    const generator = createAiSdkGenerator({ model });
    const streamed = await collect(generator.stream(ask('x', { stop: ['mat'] })));
    expect(streamed.text).toBe('The cat sat on the ');
    expect(streamed.finish).toMatchObject({ finishReason: 'stop' });
    expect(model.doStreamCalls[0]!.stopSequences).toEqual(['mat']);
  });

  test('an error part mid-stream is an UPSTREAM_ERROR after the text so far', async () => {
    const model = streamingModel([
      ...textParts(['partial']),
      { type: 'error', error: new Error('backend exploded') },
    ]);
    const seen: string[] = [];
    const error = await rejectionOf(
      (async () => {
        for await (const part of createAiSdkGenerator({ model }).stream(ask('x')))
          if (part.type === 'text-delta') seen.push(part.delta);
      })(),
    );
    expect(seen).toEqual(['partial']);
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('backend exploded');
  });

  test('a stream that ends without a finish part is an UPSTREAM_ERROR, not a silent answer', async () => {
    const error = await rejectionOf(
      collect(createAiSdkGenerator({ model: streamingModel(textParts(['cut'])) }).stream(ask('x'))),
    );
    expect(error.code).toBe('UPSTREAM_ERROR');
    expect(error.message).toContain('without a finish part');
  });

  test('abort is prompt even when the provider stream ignores the signal', async () => {
    // A stream that never sends another part after the first: only the abort can end the wait.
    const model = new MockLanguageModelV3({
      doStream: async () => ({
        stream: new ReadableStream<LanguageModelV3StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'text-delta', id: 't', delta: 'first' });
          },
        }),
      }),
    });
    const controller = new AbortController();
    const started = Date.now();
    const error = await rejectionOf(
      (async () => {
        for await (const part of createAiSdkGenerator({ model }).stream(
          ask('x', { signal: controller.signal }),
        ))
          if (part.type === 'text-delta') setTimeout(() => controller.abort(), 10);
      })(),
    );
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test("the model's warnings reach onWarning", async () => {
    const warnings: string[] = [];
    const model = streamingModel([
      {
        type: 'stream-start',
        warnings: [{ type: 'unsupported', feature: 'topK', details: 'not supported by this model' }],
      },
      { type: 'text-delta', id: 't', delta: 'ok' },
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(1, 1) },
    ]);
    await collect(
      createAiSdkGenerator({ model, onWarning: (m) => warnings.push(m) }).stream(ask('x', { topK: 5 })),
    );
    expect(warnings).toEqual(['mock.chat (model mock-1): unsupported topK: not supported by this model']);
    expect(model.doStreamCalls[0]!.topK).toBe(5);
  });

  test('providerOptions pass through keyed by provider', async () => {
    const model = streamingModel([
      ...textParts(['ok']),
      { type: 'finish', finishReason: { unified: 'stop', raw: 'stop' }, usage: usage(1, 1) },
    ]);
    await collect(
      createAiSdkGenerator({ model }).stream(
        ask('x', { providerOptions: { openai: { reasoningEffort: 'low' } } }),
      ),
    );
    expect(model.doStreamCalls[0]!.providerOptions).toEqual({ openai: { reasoningEffort: 'low' } });
  });

  test('bad options are one INVALID_CONFIG naming each, and AI SDK 5 (v2) models are refused', () => {
    const v2 = { specificationVersion: 'v2', provider: 'old', modelId: 'm', doGenerate() {}, doStream() {} };
    for (const [options, paths] of [
      [{}, ['model']],
      [{ model: v2 }, ['model']],
      [{ model: new MockLanguageModelV3(), maxRetries: -1, modle: 'x' }, ['maxRetries', 'modle']],
    ] as const) {
      let caught: unknown;
      try {
        createAiSdkGenerator(options as never);
      } catch (error) {
        caught = error;
      }
      expect(isRagloomError(caught, 'INVALID_CONFIG')).toBe(true);
      const issues = (caught as { details: { issues: { path: string }[] } }).details.issues;
      expect(issues.map((i) => i.path).sort()).toEqual([...paths].sort());
    }
  });
});
