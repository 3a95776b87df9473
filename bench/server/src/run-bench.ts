// ragloom serve under load. Starts the real `ragloom serve` (BM25 + extractive answers over the app's demo
// corpus) and, as the floor, a bare node:http server answering a fixed JSON of the same size; drives each with
// autocannon (50 connections) on loopback, /v1/chat/completions and /search for 30 s each, twice, and prints
// throughput, p50/p99 latency, status counts and the server's memory after each round.
// `--quick` runs 3 s per endpoint for a smoke test. Exits non-zero on any 5xx or socket error.
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import autocannon from 'autocannon';

const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 30;
const CONNECTIONS = 50;

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
  reqPerSec: number;
  p50: number;
  p99: number;
  ok: number;
  non2xx: number;
  s5xx: number;
  errors: number;
  timeouts: number;
}

async function load(server: string, url: string, endpoint: string, round: number): Promise<Row> {
  const body = (q: string) =>
    endpoint === '/search'
      ? JSON.stringify({ query: q, k: 5 })
      : JSON.stringify({ model: 'ragloom', messages: [{ role: 'user', content: q }] });
  const result = await autocannon({
    url: `${url}${endpoint}`,
    connections: CONNECTIONS,
    duration: DURATION,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: QUESTIONS.map((q) => ({ method: 'POST', body: body(q) })),
  });
  return {
    server,
    endpoint,
    round,
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
      server: { maxConcurrent: 64, requestTimeoutMs: 30_000 },
    }),
  );
  await run(['ingest', 'docs', '--quiet'], work);

  const server = spawn(process.execPath, ['--expose-gc', bin, 'serve', '--port', '0'], {
    cwd: work,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, RAGLOOM_API_KEY: '' },
  });
  children.push(server);
  const [, url] = await waitForLine(server, /serving on (http:\/\/\S+)/);

  // The floor: node:http answering a captured chat completion, no parsing, no retrieval.
  const sample = await (
    await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
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
    `ragloom serve (BM25 + extractive, demo corpus) at ${url}; ${CONNECTIONS} connections, ${DURATION} s per run`,
  );
  const rows: Row[] = [];
  const mem: { round: number; rss: number; heap_used: number }[] = [{ round: 0, ...(await memory(url!)) }];
  for (const round of [1, 2]) {
    for (const endpoint of ['/v1/chat/completions', '/search']) {
      rows.push(await load('ragloom', url!, endpoint, round));
      console.log(JSON.stringify(rows.at(-1)));
    }
    await new Promise((r) => setTimeout(r, 1000)); // let the server go idle; /healthz?gc collects first
    mem.push({ round, ...(await memory(url!)) });
  }
  rows.push(await load('node:http floor', floorUrl!, '/v1/chat/completions', 1));

  console.log('\nThroughput and latency (autocannon)');
  console.table(
    rows.map((r) => ({
      server: r.server,
      endpoint: r.endpoint,
      round: r.round,
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
  const bad = rows
    .filter((r) => r.server === 'ragloom')
    .reduce((n, r) => n + r.s5xx + r.errors + r.timeouts, 0);
  console.log(bad === 0 ? 'zero 5xx, socket errors and timeouts' : `FAILED: ${bad} 5xx / errors / timeouts`);
  process.exitCode = bad === 0 ? 0 : 1;
} finally {
  for (const child of children) child.kill('SIGTERM');
  rmSync(work, { recursive: true, force: true });
}
