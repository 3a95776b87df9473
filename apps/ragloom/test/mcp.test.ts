import { execFile, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { FILTER_GRAMMAR_DESCRIPTION, NO_PASSAGES_ANSWER } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import type { RagloomConfigInput } from '../src/config/config-schema.js';
import { ingestFiles } from '../src/ingest/ingest-files.js';
import { documentUri } from '../src/mcp/mcp-server.js';
import { stitchChunks } from '../src/mcp/source-documents.js';
import { openRuntime, type RagloomRuntime } from '../src/runtime/open-runtime.js';
import { createRagloomServer, type RagloomServer } from '../src/server/create-server.js';
import { APP_DIR, CLI, DOCS, FIXTURE_PLUGINS, HYBRID_CONFIG, makeProject } from './helpers/project.js';
import { rawRequest } from './helpers/raw-http.js';

const KEY = 'mcp-test-key';

interface Served {
  readonly dir: string;
  readonly runtime: RagloomRuntime;
  readonly server: RagloomServer;
  readonly url: string;
}

async function serve(ingest: boolean, config: RagloomConfigInput = HYBRID_CONFIG): Promise<Served> {
  const dir = makeProject(DOCS, config);
  // This process is the writer; `ragloom mcp` (stdio) opens the same data dir as a reader, as beside a server.
  const runtime = await openRuntime(await loadConfig({ cwd: dir, env: {} }), {
    generator: true,
    access: 'write',
  });
  if (ingest) await ingestFiles(runtime, { paths: [join(dir, 'docs')] });
  const server = createRagloomServer(runtime, { apiKey: KEY });
  return { dir, runtime, server, url: await server.listen(0, '127.0.0.1') };
}

let corpus: Served;
let empty: Served;
beforeAll(async () => {
  corpus = await serve(true);
  empty = await serve(false);
});
afterAll(async () => {
  for (const s of [corpus, empty]) {
    await s.server.close(100);
    await s.runtime.close();
  }
});

const transports: Record<string, (s: () => Served) => Transport> = {
  'Streamable HTTP (ragloom serve, POST /mcp)': (s) =>
    new StreamableHTTPClientTransport(new URL(`${s().url}/mcp`), {
      requestInit: { headers: { authorization: `Bearer ${KEY}` } },
    }),
  // The built CLI, as an MCP client (Claude Desktop, Cursor) starts it.
  'stdio (ragloom mcp)': (s) =>
    new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'mcp'],
      cwd: s().dir,
      env: { PATH: process.env.PATH ?? '', NO_COLOR: '1' },
      stderr: 'pipe',
    }),
};

type Passage = {
  number: number;
  source: string;
  line: number | null;
  label: string;
  score: number;
  text: string;
};
type Citation = { number: number; source: string; line: number | null; label: string; text: string };

async function connect(transport: Transport): Promise<Client> {
  const client = new Client({ name: 'ragloom-test', version: '1.0.0' });
  await client.connect(transport);
  return client;
}

/** The text parts of a tool result (the compatibility shape without `content` has none). */
const textOf = (result: Record<string, unknown>) =>
  ((result.content ?? []) as { type: string; text?: string }[]).map((c) => c.text ?? '').join('');

describe.each(Object.entries(transports))('MCP over %s', (_name, makeTransport) => {
  let client: Client;
  let onEmpty: Client;
  beforeAll(async () => {
    client = await connect(makeTransport(() => corpus));
    onEmpty = await connect(makeTransport(() => empty));
  });
  afterAll(async () => {
    await client?.close();
    await onEmpty?.close();
  });

  test('tools/list: search and ask, with input schemas for query, k and a filter in the core grammar', async () => {
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(['ask', 'search']);
    const search = tools.find((t) => t.name === 'search')!;
    expect(search.inputSchema.required).toEqual(['query']);
    expect(Object.keys(search.inputSchema.properties ?? {}).sort()).toEqual(['filter', 'k', 'query']);
    expect(
      (search.inputSchema.properties as Record<string, { description?: string }>).filter!.description,
    ).toBe(FILTER_GRAMMAR_DESCRIPTION);
    expect(search.outputSchema?.properties).toHaveProperty('passages');
    const ask = tools.find((t) => t.name === 'ask')!;
    expect(ask.inputSchema.required).toEqual(['question']);
  });

  test('search returns the ingested passage with its source, lines and score', async () => {
    const result = await client.callTool({
      name: 'search',
      arguments: { query: 'which port does the server listen on', k: 3 },
    });
    expect(result.isError).toBeFalsy();
    const { passages } = result.structuredContent as { passages: Passage[] };
    expect(passages.length).toBeGreaterThan(0);
    expect(passages.length).toBeLessThanOrEqual(3);
    const [best] = passages;
    expect(best).toMatchObject({ number: 1, source: 'docs/server.md', line: 1 });
    expect(best!.text).toContain('port 8787');
    expect(best!.label).toMatch(/^docs\/server\.md:1/);
    expect(best!.score).toBeGreaterThan(0);
    expect(textOf(result)).toContain('[1] docs/server.md:1');
  });

  test('search honours a filter in the core grammar', async () => {
    const result = await client.callTool({
      name: 'search',
      arguments: { query: 'files', k: 5, filter: { source: { $in: ['docs/ingest.txt'] } } },
    });
    const { passages } = result.structuredContent as { passages: Passage[] };
    expect(passages.length).toBeGreaterThan(0);
    expect(new Set(passages.map((p) => p.source))).toEqual(new Set(['docs/ingest.txt']));
  });

  test('ask answers with numbered citations pointing at the exact lines (extractive: no generator)', async () => {
    const result = await client.callTool({
      name: 'ask',
      arguments: { question: 'Which port does the server listen on?' },
    });
    expect(result.isError).toBeFalsy();
    const answer = result.structuredContent as { answer: string; mode: string; citations: Citation[] };
    expect(answer.mode).toBe('extractive');
    expect(answer.answer).toContain('8787');
    expect(answer.answer).toMatch(/\[1\]/);
    expect(answer.citations[0]).toMatchObject({
      number: 1,
      source: 'docs/server.md',
      line: 3,
      label: 'docs/server.md:3',
    });
    expect(answer.citations[0]!.text).toContain('port 8787');
    expect(textOf(result)).toContain('Sources:\n[1] docs/server.md:3');
  });

  test('a bad filter is a tool error naming the path inside the filter', async () => {
    for (const [name, args] of [
      ['search', { query: 'port', filter: { year: { $gtx: 2020 } } }],
      ['ask', { question: 'port?', filter: { $or: [{ a: 1 }, { b: { $in: 'x' } }] } }],
    ] as const) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(textOf(result)).toMatch(/^INVALID_FILTER: /);
      expect(textOf(result)).toContain(name === 'search' ? 'filter.year' : 'filter.$or[1].b');
    }
  });

  test('input outside the schema (k too large, empty query) is refused', async () => {
    for (const args of [{ query: 'port', k: 1000 }, { query: '   ' }]) {
      const outcome = await client.callTool({ name: 'search', arguments: args }).then(
        (r) => ({ error: r.isError ? textOf(r) : undefined }),
        (e: Error) => ({ error: e.message }),
      );
      expect(outcome.error, JSON.stringify(args)).toMatch(/Invalid arguments|Input validation/i);
    }
  });

  test('sources are resources: listed by id, and read back as the text that was indexed', async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    expect(uris).toEqual(Object.keys(DOCS).sort().map(documentUri));
    const server = resources.find((r) => r.uri === documentUri('docs/server.md'))!;
    expect(server).toMatchObject({ name: 'docs/server.md', mimeType: 'text/markdown', title: 'Server' });
    const read = await client.readResource({ uri: server.uri });
    expect(read.contents[0]).toMatchObject({
      uri: server.uri,
      mimeType: 'text/markdown',
      text: DOCS['docs/server.md'],
    });
    const unknown = await client.readResource({ uri: documentUri('nope.md') }).catch((e: Error) => e);
    expect(unknown).toBeInstanceOf(Error);
    expect((unknown as Error).message).toContain('no document "nope.md"');
  });

  test('concurrent tool calls on one connection get what each gets alone', async () => {
    const queries = ['port', 'API key', 'content hash', 'BM25 检索', 'deleted files'];
    const call = (query: string) => client.callTool({ name: 'search', arguments: { query, k: 3 } });
    const sequential = [];
    for (const q of queries) sequential.push((await call(q)).structuredContent);
    expect(new Set(sequential.map((r) => JSON.stringify(r))).size).toBe(queries.length);
    const concurrent = (await Promise.all(queries.map(call))).map((r) => r.structuredContent);
    expect(concurrent).toEqual(sequential);
  });

  test('an empty index: no passages, the no-passages answer, no resources', async () => {
    const search = await onEmpty.callTool({ name: 'search', arguments: { query: 'port' } });
    expect(search.structuredContent).toEqual({ query: 'port', passages: [] });
    expect(textOf(search)).toBe('No passages found.');
    const ask = await onEmpty.callTool({ name: 'ask', arguments: { question: 'port?' } });
    expect(ask.structuredContent).toMatchObject({ answer: NO_PASSAGES_ANSWER, citations: [] });
    expect((await onEmpty.listResources()).resources).toEqual([]);
  });
});

describe('MCP over HTTP: the server rules', () => {
  test('without the API key the endpoint is 401, like every API route', async () => {
    const response = await fetch(`${corpus.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(response.status).toBe(401);
    const client = new Client({ name: 'no-key', version: '1' });
    await expect(
      client.connect(new StreamableHTTPClientTransport(new URL(`${corpus.url}/mcp`))),
    ).rejects.toThrow();
  });

  test("the server's Host and Origin rules hold for /mcp; a listed origin may preflight MCP's header", async () => {
    const call = (headers: Record<string, string>) =>
      fetch(`${corpus.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${KEY}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
      });
    expect((await call({ origin: 'https://evil.example' })).status).toBe(403);
    const rebound = await rawRequest(corpus.url, {
      method: 'POST',
      path: '/mcp',
      headers: {
        host: 'rebind.evil.example',
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(rebound.status).toBe(421);
    expect((await call({})).status).toBe(200);
    const listed = createRagloomServer(corpus.runtime, { apiKey: KEY, cors: ['https://app.example'] });
    try {
      const url = await listed.listen(0, '127.0.0.1');
      const preflight = await fetch(`${url}/mcp`, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization, content-type, mcp-protocol-version',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-headers')).toContain('mcp-protocol-version');
    } finally {
      await listed.close(100);
    }
  });

  test('GET and DELETE /mcp are 405 (stateless endpoint); malformed JSON is a 400 before MCP runs', async () => {
    for (const method of ['GET', 'DELETE']) {
      const response = await fetch(`${corpus.url}/mcp`, {
        method,
        headers: { authorization: `Bearer ${KEY}` },
      });
      expect(response.status, method).toBe(405);
      expect(response.headers.get('allow')).toBe('POST');
    }
    const bad = await fetch(`${corpus.url}/mcp`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{"jsonrpc": ',
    });
    expect(bad.status).toBe(400);
  });

  test('refused before a tool runs: a client that cannot read the answer (406), a non-JSON-RPC body, an oversized body', async () => {
    const post = (url: string, body: string, accept = 'application/json, text/event-stream') =>
      fetch(`${url}/mcp`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', accept },
        body,
      });
    const call = JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name: 'search', arguments: { query: 'port' } },
    });
    const notAcceptable = await post(corpus.url, call, 'text/html');
    expect(notAcceptable.status).toBe(406);
    expect(((await notAcceptable.json()) as { error: { message: string } }).error.message).toMatch(
      /Not Acceptable/,
    );
    const notJsonRpc = await post(corpus.url, JSON.stringify({ search: 'port' }));
    expect(notJsonRpc.status).toBe(400);
    expect(((await notJsonRpc.json()) as { error: { code: number } }).error.code).toBe(-32700);
    // The server's body limit applies to /mcp as to every API route, before MCP parses anything.
    const small = createRagloomServer(corpus.runtime, { apiKey: KEY, maxBodyBytes: 512 });
    try {
      const url = await small.listen(0, '127.0.0.1');
      const big = JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'search', arguments: { query: 'port '.repeat(200) } },
      });
      expect((await post(url, big)).status).toBe(413);
      expect((await post(url, call)).status).toBe(200);
    } finally {
      await small.close(100);
    }
  });

  test('an unknown tool is an error naming it, and the connection keeps working', async () => {
    const client = await connect(
      new StreamableHTTPClientTransport(new URL(`${corpus.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${KEY}` } },
      }),
    );
    const outcome = await client.callTool({ name: 'delete_everything', arguments: {} }).then(
      (r) => (r.isError ? textOf(r) : 'no error'),
      (e: Error) => e.message,
    );
    expect(outcome).toContain('delete_everything');
    expect(outcome).toMatch(/not found/i);
    const after = await client.callTool({ name: 'search', arguments: { query: 'port', k: 1 } });
    expect(after.isError).toBeFalsy();
    await client.close();
  });
});

/** Counts the test generator keeps (test/fixtures/plugins/slow-generator.mjs). */
type GeneratorStats = { started: number; aborted: number; finished: number };
function statsOf(runtime: RagloomRuntime): GeneratorStats {
  const generator = runtime.generator;
  if (!generator || !('stats' in generator)) throw new Error('the runtime has no test generator');
  return generator.stats as GeneratorStats;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('MCP ask with a generator configured', () => {
  let generated: Served;
  beforeAll(async () => {
    generated = await serve(true, {
      ...HYBRID_CONFIG,
      generator: { use: join(FIXTURE_PLUGINS, 'slow-generator.mjs'), options: { tokenDelayMs: 30 } },
    });
  });
  afterAll(async () => {
    await generated.server.close(100);
    await generated.runtime.close();
  });
  const httpClient = () =>
    connect(
      new StreamableHTTPClientTransport(new URL(`${generated.url}/mcp`), {
        requestInit: { headers: { authorization: `Bearer ${KEY}` } },
      }),
    );

  test('the answer is generated, and its [n] are citations to the passages it was given', async () => {
    const client = await httpClient();
    try {
      const result = await client.callTool({
        name: 'ask',
        arguments: { question: 'Which port does the server listen on?', k: 2 },
      });
      expect(result.isError).toBeFalsy();
      const answer = result.structuredContent as {
        answer: string;
        mode: string;
        finish_reason: string;
        citations: Citation[];
      };
      expect(answer.mode).toBe('generated');
      expect(answer.answer).toMatch(/^Answer to: Which port does the server listen on\? \[1\]/);
      expect(answer.finish_reason).toBe('stop');
      expect(answer.citations).toHaveLength(1);
      expect(answer.citations[0]).toMatchObject({ number: 1, source: 'docs/server.md' });
      expect(textOf(result)).toContain(`Sources:\n[1] ${answer.citations[0]!.label}`);
    } finally {
      await client.close();
    }
  });

  test('a client that goes away mid-answer stops the generation', async () => {
    const stats = statsOf(generated.runtime);
    await waitFor(() => generated.server.activeRequests === 0, 'the server to be idle');
    const before = { ...stats };
    const controller = new AbortController();
    const pending = fetch(`${generated.url}/mcp`, {
      method: 'POST',
      signal: controller.signal,
      headers: {
        authorization: `Bearer ${KEY}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'tools/call',
        params: { name: 'ask', arguments: { question: 'Which port does the server listen on?' } },
      }),
    }).catch((error: Error) => error);
    await waitFor(() => stats.started === before.started + 1, 'the generation to start');
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    await waitFor(
      () => stats.aborted === before.aborted + 1 && generated.server.activeRequests === 0,
      'the generation to be aborted',
    );
    expect(stats.finished).toBe(before.finished);
  });

  test('an answer that runs past requestTimeoutMs is a 504 and stops the generation', async () => {
    const stats = statsOf(generated.runtime);
    const quick = createRagloomServer(generated.runtime, { apiKey: KEY, requestTimeoutMs: 150 });
    try {
      const url = await quick.listen(0, '127.0.0.1');
      const before = { ...stats };
      const client = await connect(
        new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${KEY}` } },
        }),
      );
      const t0 = Date.now();
      const error = await client
        .callTool({ name: 'ask', arguments: { question: 'Which port does the server listen on?' } })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      // The SDK client's StreamableHTTPError carries the HTTP status as `code`.
      expect(error).toMatchObject({ code: 504 });
      expect(error?.message).toContain('longer than 150 ms');
      expect(Date.now() - t0).toBeLessThan(2000);
      await waitFor(
        () => stats.aborted === before.aborted + 1 && quick.activeRequests === 0,
        'the generation to be aborted',
      );
      await client.close();
    } finally {
      await quick.close(100);
    }
  });
});

/** The first fenced block of `language` after `marker` in a README. */
function readmeBlock(readme: string, marker: string, language: string): string {
  const text = readFileSync(readme, 'utf8');
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`"${marker}" is not in ${readme}`);
  const block = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(text.slice(at))?.[1];
  if (block === undefined) throw new Error(`no \`\`\`${language} block after "${marker}" in ${readme}`);
  return block;
}

const REPO = join(APP_DIR, '..', '..');
const APP_README = join(APP_DIR, 'README.md');
const hasCurl = spawnSync('curl', ['--version']).status === 0;

describe("the README's MCP snippets, run as written", () => {
  test('the MCP client config starts `ragloom mcp` on the configured index, from any working directory', async () => {
    type Config = { mcpServers: { ragloom: { command: string; args: string[] } } };
    const config = JSON.parse(readmeBlock(APP_README, '## MCP', 'json')) as Config;
    // The top-level README shows the same entry.
    expect(JSON.parse(readmeBlock(join(REPO, 'README.md'), '## Use it from an AI agent', 'json'))).toEqual(
      config,
    );
    const { command, args } = config.mcpServers.ragloom;
    const filled = args.map((a) =>
      a
        .replace('/path/to/ragloom/', `${REPO}/`)
        .replace('/path/to/your/ragloom.config.json', join(corpus.dir, 'ragloom.config.json')),
    );
    expect(filled.some((a) => a.includes('/path/to/'))).toBe(false);
    const client = await connect(
      new StdioClientTransport({
        command,
        args: filled,
        // An MCP client starts the server wherever it runs, not in the project folder.
        cwd: tmpdir(),
        // `node` is the Node running this test.
        env: { PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, NO_COLOR: '1' },
        stderr: 'pipe',
      }),
    );
    try {
      const result = await client.callTool({ name: 'search', arguments: { query: 'port 8787', k: 1 } });
      const { passages } = result.structuredContent as { passages: Passage[] };
      expect(passages[0]).toMatchObject({ source: 'docs/server.md' });
    } finally {
      await client.close();
    }
  });

  test.skipIf(!hasCurl)('the curl command is a whole MCP tool call against `ragloom serve`', async () => {
    const command = readmeBlock(APP_README, 'one `curl` is a whole MCP call', 'sh').replaceAll(
      'http://127.0.0.1:8787',
      corpus.url,
    );
    const { stdout } = await promisify(execFile)('sh', ['-c', command], {
      env: { PATH: process.env.PATH ?? '', RAGLOOM_API_KEY: KEY },
    });
    const reply = JSON.parse(stdout) as {
      id: number;
      result: { structuredContent: { passages: Passage[] } };
    };
    expect(reply.id).toBe(1);
    expect(reply.result.structuredContent.passages.length).toBe(2);
    expect(reply.result.structuredContent.passages[0]).toMatchObject({ source: 'docs/server.md', line: 1 });
  });
});

describe('documents read back from the index', () => {
  test('stitched chunks keep every offset: each chunk is found at its start', () => {
    const text = '# Title\n\nFirst paragraph here.\n\nSecond one. Third sentence.';
    const chunks = [
      { start: 0, end: 7, text: '# Title' },
      { start: 9, end: 30, text: 'First paragraph here.' },
      { start: 32, end: 43, text: 'Second one.' },
      { start: 38, end: 59, text: 'one. Third sentence.' },
    ].map((c) => ({ ...c, text: text.slice(c.start, c.end) }));
    const stitched = stitchChunks(chunks);
    for (const c of chunks) expect(stitched.slice(c.start, c.end)).toBe(c.text);
    expect(stitched).toBe(text);
  });

  test('a file that grew since ingest: only the indexed text is returned, never what was added', async () => {
    const served = await serve(true);
    try {
      writeFileSync(join(served.dir, 'docs/ingest.txt'), `${DOCS['docs/ingest.txt']}SECRET added later\n`);
      const client = await connect(
        new StreamableHTTPClientTransport(new URL(`${served.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${KEY}` } },
        }),
      );
      const read = await client.readResource({ uri: documentUri('docs/ingest.txt') });
      const content = read.contents[0] as { text: string; _meta?: { from?: string } };
      expect(content._meta?.from).toBe('index');
      expect(content.text).not.toContain('SECRET');
      expect(content.text).toContain('Deleted files lose their chunks.');
      await client.close();
    } finally {
      await served.server.close(100);
      await served.runtime.close();
    }
  });

  test('a running `ragloom mcp` (stdio) sees what another process ingested after it started', async () => {
    const served = await serve(true);
    const client = await connect(transports['stdio (ragloom mcp)']!(() => served));
    try {
      const search = () => client.callTool({ name: 'search', arguments: { query: 'zebra migration' } });
      const sources = async () =>
        ((await search()).structuredContent as { passages: Passage[] }).passages.map((p) => p.source);
      expect(await sources()).not.toContain('docs/zebra.md');
      writeFileSync(
        join(served.dir, 'docs/zebra.md'),
        '# Zebras\n\nZebra migration crosses the river in July.\n',
      );
      await ingestFiles(served.runtime, { paths: [join(served.dir, 'docs')] });
      expect((await sources())[0]).toBe('docs/zebra.md');
      const { resources } = await client.listResources();
      expect(resources.map((r) => r.name)).toContain('docs/zebra.md');
    } finally {
      await client.close();
      await served.server.close(100);
      await served.runtime.close();
    }
  });

  test('a file changed since ingest is read from the index, not from disk', async () => {
    const served = await serve(true);
    try {
      writeFileSync(join(served.dir, 'docs/server.md'), '# Server\n\nSomething else entirely now.\n');
      const client = await connect(
        new StreamableHTTPClientTransport(new URL(`${served.url}/mcp`), {
          requestInit: { headers: { authorization: `Bearer ${KEY}` } },
        }),
      );
      const read = await client.readResource({ uri: documentUri('docs/server.md') });
      const content = read.contents[0] as { text: string; _meta?: { from?: string } };
      expect(content._meta?.from).toBe('index');
      expect(content.text).toContain('The server listens on port 8787 by default.');
      expect(content.text.replace(/\s+/g, ' ').trim()).toBe(
        DOCS['docs/server.md'].replace(/\s+/g, ' ').trim(),
      );
      await client.close();
    } finally {
      await served.server.close(100);
      await served.runtime.close();
    }
  });
});
