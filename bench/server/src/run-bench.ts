// ragloom serve under load. Starts the real `ragloom serve` (BM25 + extractive answers over the app's demo
// corpus) and, as the floor, a bare node:http server answering a fixed JSON of the same size; drives each with
// autocannon (50 connections) on loopback, /v1/chat/completions and /search for 30 s each, twice, and prints
// throughput, p50/p99 latency, status counts and the server's memory after each round.
// `--quick` runs 3 s per endpoint for a smoke test; `--duration <s>` and `--connections 50,200` set the load.
// While each load runs, a second client checks that answers under load equal those given one request at a
// time. Exits non-zero on any 5xx, socket error, timeout or differing answer.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';

function flag(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const DURATION = Number(flag('--duration') ?? (quick ? 3 : 30));
const CONNECTION_COUNTS = (flag('--connections') ?? '50').split(',').map(Number);
const JSON_HEADERS = { 'content-type': 'application/json' };

const require = createRequire(import.meta.url);
const appDir = dirname(require.resolve('ragloom/package.json'));
const bin = join(appDir, 'dist', 'cli', 'main.js');

const QUESTIONS = [
  'How does ragloom answer questions when no language model is available?',
  'How do I require an API key for the server?',
  '没有网络的时候怎么使用 ragloom？',
  'What happens if I press Ctrl-C during ingest?',
];

function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpMatchArray> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = out.match(pattern);
      if (m) {
        child.stdout?.off('data', onData);
        resolve(m);
      }
    };
    child.stdout?.on('data', onData);
    child.once('exit', (code) =>
      reject(new Error(`process exited (${code}) before printing ${pattern}:\n${out}`)),
    );
  });
}

function run(args: string[], cwd: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`ragloom ${args.join(' ')} exited ${code}`)),
    );
  });
}

interface Row {
  server: string;
  endpoint: string;
  round: number;
  connections: number;
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  s5xx: number;
  errors: number;
  timeouts: number;
}

const requestBody = (endpoint: string, q: string) =>
  endpoint === '/search'
    ? JSON.stringify({ query: q, k: 5 })
    : JSON.stringify({ model: 'ragloom', messages: [{ role: 'user', content: q }] });

/** What must not change under load: the hits of a search, the text and citations of an answer. */
async function answerOf(url: string, endpoint: string, q: string): Promise<string> {
  let res = await fetch(`${url}${endpoint}`, {
    method: 'POST',
    headers: JSON_HEADERS,
    body: requestBody(endpoint, q),
  });
  // A busy server says 429; a client retries, as OpenAI's SDK does.
  while (res.status === 429) {
    await res.arrayBuffer();
    await new Promise((r) => setTimeout(r, 20));
    res = await fetch(`${url}${endpoint}`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: requestBody(endpoint, q),
    });
  }
  const json = (await res.json()) as { hits?: unknown; choices?: { message: unknown }[]; ragloom?: unknown };
  return JSON.stringify(endpoint === '/search' ? json.hits : [json.choices?.[0]?.message, json.ragloom]);
}

/** Asks every question again and again while `running` is pending; counts answers that differ from `expected`. */
async function checkUnderLoad(
  url: string,
  endpoint: string,
  expected: Map<string, string>,
  running: Promise<unknown>,
) {
  let done = false;
  void running.finally(() => (done = true));
  let checked = 0;
  let differing = 0;
  while (!done) {
    const answers = await Promise.all(QUESTIONS.map((q) => answerOf(url, endpoint, q)));
    answers.forEach((a, i) => {
      checked++;
      if (a !== expected.get(QUESTIONS[i]!)) differing++;
    });
  }
  return { checked, differing };
}

async function load(
  server: string,
  url: string,
  endpoint: string,
  round: number,
  connections: number,
): Promise<Row> {
  const result = await autocannon({
    url: `${url}${endpoint}`,
    connections,
    duration: DURATION,
    method: 'POST',
    headers: JSON_HEADERS,
    requests: QUESTIONS.map((q) => ({ method: 'POST', body: requestBody(endpoint, q) })),
  });
  return {
    server,
    endpoint,
    round,
    connections,
    reqPerSec: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    ok: result['2xx'],
    non2xx: result.non2xx,
    s5xx: result['5xx'],
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

async function memory(url: string): Promise<{ rss: number; heap_used: number }> {
  const health = (await (await fetch(`${url}/healthz?gc`)).json()) as {
    memory_mb: { rss: number; heap_used: number };
  };
  return health.memory_mb;
}

const work = mkdtempSync(join(tmpdir(), 'ragloom-bench-server-'));
const children: ChildProcess[] = [];
try {
  cpSync(join(appDir, 'demo', 'corpus'), join(work, 'docs'), { recursive: true });
  writeFileSync(
    join(work, 'ragloom.config.json'),
    JSON.stringify({
      retrievers: [{ name: 'bm25', use: '@ragloom/retriever-bm25', options: { analyzer: 'auto' } }],
      // One load generator opens every connection from 127.0.0.1: raise the per-client bound above them.
      server: { maxConcurrent: 64, requestTimeoutMs: 30_000, maxConnectionsPerClient: 1024 },
    }),
  );
  await run(['ingest', 'docs', '--quiet'], work);

  const server = spawn(process.execPath, ['--expose-gc', bin, 'serve', '--port', '0'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RAGLOOM_API_KEY: '', RAGLOOM_HEALTHZ_GC: '1' },
  });
  children.push(server);
  const [, url] = await waitForLine(server, /serving on (http:\/\/\S+)/);

  // The floor: node:http answering a captured chat completion, no parsing, no retrieval.
  const sample = await (
    await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: JSON_HEADERS,
      body: JSON.stringify({ model: 'ragloom', messages: [{ role: 'user', content: QUESTIONS[0] }] }),
    })
  ).text();
  writeFileSync(join(work, 'sample.json'), sample);
  const floor = spawn(
    process.execPath,
    [
      '-e',
      `const body = require('fs').readFileSync(${JSON.stringify(join(work, 'sample.json'))});
       require('http').createServer((req, res) => { req.resume(); req.on('end', () => {
         res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length }); res.end(body); }); })
       .listen(0, '127.0.0.1', function () { console.log('floor on http://127.0.0.1:' + this.address().port); });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(floor);
  const [, floorUrl] = await waitForLine(floor, /floor on (http:\/\/\S+)/);

  console.log(
    `ragloom serve (BM25 + extractive, demo corpus) at ${url}; ${CONNECTION_COUNTS.join(' and ')} connections, ${DURATION} s per run`,
  );
  const endpoints = ['/v1/chat/completions', '/search'];
  // The answers given one request at a time, to compare those under load with.
  const expected = new Map<string, Map<string, string>>();
  for (const endpoint of endpoints) {
    const answers = new Map<string, string>();
    for (const q of QUESTIONS) answers.set(q, await answerOf(url!, endpoint, q));
    expected.set(endpoint, answers);
  }
  const rows: Row[] = [];
  const checks: { endpoint: string; connections: number; checked: number; differing: number }[] = [];
  const mem: { round: number; rss: number; heap_used: number }[] = [{ round: 0, ...(await memory(url!)) }];
  for (const round of [1, 2]) {
    for (const connections of CONNECTION_COUNTS) {
      for (const endpoint of endpoints) {
        const running = load('ragloom', url!, endpoint, round, connections);
        const check = await checkUnderLoad(url!, endpoint, expected.get(endpoint)!, running);
        rows.push(await running);
        checks.push({ endpoint, connections, ...check });
        console.log(
          JSON.stringify({ ...rows.at(-1), ...check, loadavg: loadavg().map((l) => l.toFixed(2)) }),
        );
      }
    }
    await new Promise((r) => setTimeout(r, 1000)); // let the server go idle; /healthz?gc collects first
    mem.push({ round, ...(await memory(url!)) });
  }
  rows.push(await load('node:http floor', floorUrl!, '/v1/chat/completions', 1, CONNECTION_COUNTS[0]!));

  console.log('\nThroughput and latency (autocannon)');
  console.table(
    rows.map((r) => ({
      server: r.server,
      endpoint: r.endpoint,
      round: r.round,
      connections: r.connections,
      'req/s': Math.round(r.reqPerSec),
      'p50 ms': r.p50,
      'p99 ms': r.p99,
      '2xx': r.ok,
      non2xx: r.non2xx,
      '5xx': r.s5xx,
      errors: r.errors,
      timeouts: r.timeouts,
    })),
  );
  const floorRow = rows.at(-1)!;
  const chat = rows.filter((r) => r.server === 'ragloom' && r.endpoint === '/v1/chat/completions');
  const ratio = chat.reduce((n, r) => n + r.reqPerSec, 0) / chat.length / floorRow.reqPerSec;
  console.log(`chat completions req/s ÷ node:http floor req/s: ${ratio.toFixed(3)}`);
  console.log('\nServer memory after each round (MiB, /healthz?gc: after a full GC)');
  console.table(mem);
  const r1 = mem.find((m) => m.round === 1)!;
  const r2 = mem.find((m) => m.round === 2)!;
  console.log(
    `growth from round 1 to round 2: rss ${(((r2.rss - r1.rss) / r1.rss) * 100).toFixed(1)}%, ` +
      `heap ${(((r2.heap_used - r1.heap_used) / r1.heap_used) * 100).toFixed(1)}%`,
  );
  console.log('\nAnswers checked under load against the same requests one at a time');
  console.table(checks);
  const differing = checks.reduce((n, c) => n + c.differing, 0);
  console.log(
    `load average (1, 5, 15 min) at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`,
  );
  const bad = rows
    .filter((r) => r.server === 'ragloom')
    .reduce((n, r) => n + r.s5xx + r.errors + r.timeouts, 0);
  console.log(bad === 0 ? 'zero 5xx, socket errors and timeouts' : `FAILED: ${bad} 5xx / errors / timeouts`);
  console.log(
    differing === 0
      ? 'every answer under load equals the one given alone'
      : `FAILED: ${differing} answers differ under load`,
  );
  process.exitCode = bad === 0 && differing === 0 ? 0 : 1;
} finally {
  // The server releases its writer lock as it stops: let it finish before the folder goes.
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
          child.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          child.kill('SIGTERM');
        }),
    ),
  );
  rmSync(work, { recursive: true, force: true });
}
