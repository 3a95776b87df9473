import { join } from 'node:path';
import { describeEncoderConformance, describeGeneratorConformance } from '@ragloom/conformance';
import { createOpenAIEncoder } from '@ragloom/encoder-openai';
import { createOpenAIGenerator } from '@ragloom/generator-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer, type RagloomServer } from '../src/server/create-server.js';
import { DOCS, FIXTURE_PLUGINS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

const KEY = 'test-key-123';
const BODY_LIMIT = 256 * 1024;

interface Started {
  runtime: RagloomRuntime;
  server: RagloomServer;
  url: string;
}

async function start(
  config: Parameters<typeof makeProject>[1] | undefined,
  options: Parameters<typeof createRagloomServer>[1],
  runtime?: RagloomRuntime,
): Promise<Started> {
  let rt = runtime;
  if (!rt) {
    const dir = makeProject(DOCS, config);
    rt = await openRuntime(await loadConfig({ cwd: dir, env: {} }), { generator: true, access: 'write' });
    await ingestFiles(rt, { paths: [join(dir, 'docs')] });
  }
  const server = createRagloomServer(rt, options);
  const url = await server.listen(0, '127.0.0.1');
  return { runtime: rt, server, url };
}

/** The extractive server every OpenAI client test talks to. */
let extractive: Started;
/** A server with a slow generator: streaming, limits, timeouts, disconnects. */
let slow: Started;
const ready = (async () => {
  extractive = await start(HYBRID_CONFIG, { apiKey: KEY, maxBodyBytes: BODY_LIMIT });
  slow = await start(
    {
      ...HYBRID_CONFIG,
      generator: { use: join(FIXTURE_PLUGINS, 'slow-generator.mjs'), options: { tokenDelayMs: 40 } },
    },
    { maxConcurrent: 2 },
  );
})();

beforeAll(() => ready);
afterAll(async () => {
  await extractive.server.close(100);
  await slow.server.close(100);
  await extractive.runtime.close();
  await slow.runtime.close();
});

const client = () => new OpenAI({ baseURL: `${extractive.url}/v1`, apiKey: KEY, maxRetries: 0 });
type RagloomExtension = {
  mode: string;
  citations: { number: number; source: string; line: number; text: string; label: string }[];
  passages: { number: number; source: string; label: string }[];
};

describe('OpenAI-compatible API (official openai SDK as the client)', () => {
  it('lists the RAG model and the embedding model', async () => {
    const models = await client().models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(['ragloom', 'ragloom/hashing-64']);
    expect((await client().models.retrieve('ragloom')).owned_by).toBe('ragloom');
    expect(
      await client()
        .models.retrieve('gpt-4')
        .catch((e) => e),
    ).toBeInstanceOf(OpenAI.NotFoundError);
  });

  it('answers a chat completion with citations to file and line in the ragloom field', async () => {
    const completion = await client().chat.completions.create({
      model: 'ragloom',
      messages: [{ role: 'user', content: 'Which variable requires an API key?' }],
    });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe('stop');
    expect(choice.message.content).toContain(
      'Set RAGLOOM_API_KEY to require an API key from every client. [1]',
    );
    const ext = (completion as unknown as { ragloom: RagloomExtension }).ragloom;
    expect(ext.mode).toBe('extractive');
    expect(ext.citations[0]).toMatchObject({
      number: 1,
      source: 'docs/server.md',
      line: 8,
      label: 'docs/server.md:8',
    });
    expect(completion.usage!.completion_tokens).toBeGreaterThan(5);
  });

  it('streams the same answer as SSE chunks, sources first and citations last', async () => {
    const request = {
      model: 'ragloom',
      messages: [{ role: 'user' as const, content: 'Are unchanged files ingested again?' }],
    };
    const whole = await client().chat.completions.create(request);
    const stream = await client().chat.completions.create({
      ...request,
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(chunks.filter((c) => c.choices[0]?.delta?.content).length).toBeGreaterThan(5);
    const first = chunks[0] as unknown as { ragloom: RagloomExtension };
    expect(first.ragloom.passages[0]!.source).toMatch(/^docs\//);
    const last = chunks.findLast((c) => c.choices[0]?.finish_reason) as unknown as {
      choices: { finish_reason: string }[];
      ragloom: RagloomExtension;
    };
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(last.ragloom.citations.length).toBeGreaterThan(0);
    expect(chunks.at(-1)!.usage!.total_tokens).toBeGreaterThan(0);
  });

  it('honours max_tokens and stop in extractive answers', async () => {
    const messages = [{ role: 'user' as const, content: 'Are unchanged files ingested again?' }];
    const full = await client().chat.completions.create({ model: 'ragloom', messages });
    const short = await client().chat.completions.create({ model: 'ragloom', messages, max_tokens: 3 });
    expect(short.choices[0]!.finish_reason).toBe('length');
    expect(short.usage!.completion_tokens).toBe(3);
    expect(full.choices[0]!.message.content!.startsWith(short.choices[0]!.message.content!)).toBe(true);
    const stopped = await client().chat.completions.create({ model: 'ragloom', messages, stop: ['skipped'] });
    expect(stopped.choices[0]!.message.content).toBe(full.choices[0]!.message.content!.split('skipped')[0]);
  });

  it('embeds with the configured encoder, in both encodings', async () => {
    const input = ['The server listens on port 8787.', '离线时使用 BM25 检索。'];
    const expected = (await extractive.runtime.encoder!.embed({ texts: input, inputType: 'document' }))
      .embeddings;
    const viaBase64 = await client().embeddings.create({ model: 'ragloom/hashing-64', input }); // SDK default
    const viaFloat = await client().embeddings.create({
      model: 'ragloom/hashing-64',
      input,
      encoding_format: 'float',
    });
    for (const response of [viaBase64, viaFloat]) {
      expect(response.data).toHaveLength(2);
      response.data.forEach((d, i) => {
        expect(d.embedding).toHaveLength(64);
        for (const [j, x] of d.embedding.entries()) expect(x).toBeCloseTo(expected[i]![j]!, 6);
      });
    }
  });

  it('searches and ingests over plain HTTP', async () => {
    const headers = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const ingest = await fetch(`${extractive.url}/ingest`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        documents: [
          {
            id: 'notes/new.md',
            text: 'Line one.\nThe zeppelin hangar opens at dawn.\n',
            metadata: { lang: 'en' },
          },
        ],
      }),
    });
    expect(ingest.status).toBe(200);
    expect(await ingest.json()).toEqual({
      applied: true,
      generation: expect.any(Number),
      documents: 1,
      chunks: 1,
      ids: ['api://notes/new.md'],
    });
    const search = await fetch(`${extractive.url}/search`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ query: 'zeppelin hangar', k: 3, filter: { lang: 'en' } }),
    });
    const body = (await search.json()) as { hits: { id: string; label: string }[] };
    expect(body.hits[0]).toMatchObject({ id: 'api://notes/new.md#0', label: 'api://notes/new.md:1-2' });
  });

  it('keeps __proto__ and constructor as ordinary fields in HTTP metadata and filters', async () => {
    const post = (path: string, body: string) =>
      fetch(`${extractive.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body,
      });
    // Raw JSON: a `__proto__` key in a JS object literal would set the prototype instead.
    const ingest = await post(
      '/ingest',
      '{"documents":[{"id":"proto-field","text":"The quokka sleeps by day.","metadata":{"__proto__":"x"}},' +
        '{"id":"constructor-field","text":"The quokka eats at night.","metadata":{"constructor":"y"}}]}',
    );
    expect(ingest.status).toBe(200);
    const ids = async (filter: string) => {
      const response = await post('/search', `{"query":"quokka","k":20,"filter":${filter}}`);
      expect(response.status).toBe(200);
      return ((await response.json()) as { hits: { id: string }[] }).hits.map((h) => h.id).sort();
    };
    expect(await ids('{"__proto__":"x"}')).toEqual(['api://proto-field#0']);
    expect(await ids('{"__proto__":"nope"}')).toEqual([]); // not dropped into match-all
    expect(await ids('{"constructor":{"$exists":true}}')).toEqual(['api://constructor-field#0']);
    expect(await ids('{"toString":{"$exists":true}}')).toEqual([]);
  });

  it('says what is wrong with a request: malformed JSON, schema errors with the field path, oversize body', async () => {
    const post = (body: string, path = '/v1/chat/completions') =>
      fetch(`${extractive.url}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body,
      });
    const malformed = await post('{"model": "ragloom", "messages": [');
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      error: { code: 'invalid_json', type: 'invalid_request_error' },
    });

    const schema = await client()
      .chat.completions.create({ model: 'ragloom', messages: [{ role: 'robot' as 'user', content: 'hi' }] })
      .catch((e) => e);
    expect(schema).toBeInstanceOf(OpenAI.BadRequestError);
    expect(schema.param).toBe('messages[0].role');
    expect(schema.message).toContain('messages[0].role');

    const filter = await post(
      JSON.stringify({ query: 'x', filter: { year: { $between: [1, 2] } } }),
      '/search',
    );
    expect(filter.status).toBe(400);
    expect(((await filter.json()) as { error: { code: string } }).error.code).toBe('invalid_filter');

    const huge = await post(
      JSON.stringify({ model: 'ragloom', messages: [{ role: 'user', content: 'x'.repeat(BODY_LIMIT) }] }),
    );
    expect(huge.status).toBe(413);
    expect(((await huge.json()) as { error: { message: string } }).error.message).toContain(
      `${BODY_LIMIT} bytes`,
    );
  });

  it('refuses a wrong or missing API key with 401 (health and the web page stay open)', async () => {
    const wrong = new OpenAI({ baseURL: `${extractive.url}/v1`, apiKey: 'not-the-key', maxRetries: 0 });
    const error = await wrong.models.list().catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    const none = await fetch(`${extractive.url}/search`, { method: 'POST', body: '{"query":"x"}' });
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toBe('Bearer');
    expect((await fetch(`${extractive.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${extractive.url}/`)).headers.get('content-type')).toContain('text/html');
  });
});

describe('limits, disconnects and shutdown (slow generator)', () => {
  const ask = (url: string, signal?: AbortSignal, stream = true) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      signal,
      body: JSON.stringify({
        model: 'ragloom',
        stream,
        messages: [{ role: 'user', content: 'What port is used?' }],
      }),
    });

  it('streams a generated answer token by token', async () => {
    const stream = await new OpenAI({ baseURL: `${slow.url}/v1`, apiKey: 'x' }).chat.completions.create({
      model: 'ragloom',
      stream: true,
      messages: [{ role: 'user', content: 'What port is used?' }],
    });
    const times: number[] = [];
    let text = '';
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta?.content;
      if (delta) {
        text += delta;
        times.push(Date.now());
      }
    }
    expect(text).toBe('Answer to: What port is used? [1] and more words follow here.');
    expect(times.length).toBeGreaterThan(8);
    expect(times.at(-1)! - times[0]!).toBeGreaterThan(200); // spread over time, not one burst
  });

  it('answers 429 when the concurrency limit is reached', async () => {
    const controllers = [new AbortController(), new AbortController()];
    const running = await Promise.all(controllers.map((c) => ask(slow.url, c.signal)));
    expect(running.map((r) => r.status)).toEqual([200, 200]);
    const third = await ask(slow.url, undefined, false);
    expect(third.status).toBe(429);
    expect(third.headers.get('retry-after')).toBe('1');
    for (const c of controllers) c.abort();
  });

  it('a client that disconnects mid-stream stops the generation', async () => {
    await waitFor(() => slow.server.activeRequests === 0);
    const generator = slow.runtime.generator as unknown as { stats: { aborted: number } };
    const before = generator.stats.aborted;
    const controller = new AbortController();
    const response = await ask(slow.url, controller.signal);
    const reader = response.body!.getReader();
    let seen = '';
    while (!seen.includes('"content":"Answer"'))
      seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    await waitFor(() => generator.stats.aborted === before + 1 && slow.server.activeRequests === 0);
    expect(generator.stats.aborted).toBe(before + 1);
  });

  it('times out a request that runs too long (504)', async () => {
    const quick = await start(undefined, { requestTimeoutMs: 150 }, slow.runtime);
    const response = await ask(quick.url, undefined, false);
    expect(response.status).toBe(504);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
      'longer than 150 ms',
    );
    await quick.server.close(100);
  });

  it('shuts down gracefully: running streams finish, new connections are refused', async () => {
    const own = await start(undefined, {}, slow.runtime);
    const response = await ask(own.url);
    const body = response.text();
    await new Promise((r) => setTimeout(r, 60));
    const closing = own.server.close(5000);
    const text = await body;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    await closing;
    await expect(fetch(`${own.url}/healthz`)).rejects.toThrow();
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

// The adapters' second target: @ragloom/generator-openai and @ragloom/encoder-openai against this server.
describeGeneratorConformance({
  name: 'generator-openai → ragloom server (extractive)',
  create: async () => {
    await ready;
    return createOpenAIGenerator({
      baseURL: `${extractive.url}/v1`,
      apiKey: KEY,
      model: 'ragloom',
      maxRetries: 0,
    });
  },
  prompt: [{ role: 'user', content: 'How does ingest treat unchanged files and deleted files?' }],
});

describeEncoderConformance({
  name: 'encoder-openai → ragloom server',
  create: async () => {
    await ready;
    return createOpenAIEncoder({
      baseURL: `${extractive.url}/v1`,
      apiKey: KEY,
      model: 'ragloom/hashing-64',
      dimension: 64,
    });
  },
});
