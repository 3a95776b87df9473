import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seededRandom } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config/config-file.js';
import { readWriterLock } from '../src/index-set/writer-lock.js';
import { openRuntime } from '../src/runtime/open-runtime.js';
import { CLI, FIXTURE_PLUGINS, HYBRID_CONFIG, makeProject } from './helpers/project.js';

/**
 * The stress test of issue 13: two CLI ingests of different folders and a server receiving HTTP ingests
 * run at once on one data dir, round after round, and at a random (seeded) moment one of them is killed
 * with SIGKILL. While the server runs the CLIs write through it; every third round runs without a server,
 * so the two CLIs compete for the data dir's lock themselves and a killed one leaves its lock behind. After each round, every document of every run that reported success is found exactly
 * once in every retriever (and in the ingest state), every run that failed without being killed said so
 * with a typed error, and the index set opens cleanly. Sizes: RAGLOOM_STRESS_ROUNDS, RAGLOOM_STRESS_SEED.
 */
const ROUNDS = Number(process.env.RAGLOOM_STRESS_ROUNDS ?? 6);
const SEED = Number(process.env.RAGLOOM_STRESS_SEED ?? 7);
const FILES_PER_ROUND = 40;
/** HTTP ingests are sent one after another while the CLI ingests run, up to this many per round. */
const HTTP_REQUESTS = 40;
const DOCS_PER_REQUEST = 6;

interface Proc {
  readonly name: string;
  readonly child: ChildProcess;
  readonly out: { stdout: string; stderr: string };
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  killed: boolean;
}

function run(name: string, args: string[], cwd: string): Proc {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: {
      ...process.env,
      NO_COLOR: '1',
      FORCE_COLOR: '0',
      RAGLOOM_MODELS: undefined,
      RAGLOOM_API_KEY: undefined,
      // The config loads the slow encoder fixture by module path: code the user trusts.
      RAGLOOM_TRUST_CONFIG: '1',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('close', (code, signal) => resolve({ code, signal })),
  );
  return { name, child, out, exit, killed: false };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const TYPED = /error \[[A-Z_]+\]/;

describe('stress: concurrent CLI and HTTP writers with kill -9', () => {
  it(`${ROUNDS} rounds: every successful write is found exactly once, every failure is typed, the set opens`, async () => {
    const random = seededRandom(SEED);
    // An encoder that takes 25 ms per batch of 4, so that writes last long enough to be killed mid-way.
    const dir = makeProject(
      {},
      {
        ...HYBRID_CONFIG,
        encoder: {
          use: join(FIXTURE_PLUGINS, 'slow-encoder.mjs'),
          options: { batchDelayMs: 25, batchSize: 4 },
        },
        ingest: { checkpointSeconds: 0.05 },
      },
    );
    for (const f of ['a', 'b']) mkdirSync(join(dir, f));
    /** What must be in the set: file source → content, and ids of HTTP documents. */
    const files = new Map<string, string>();
    const api = new Set<string>();
    /** Files whose last ingest did not succeed: they may hold the old or the new version. */
    const uncertain = new Set<string>();
    const figures = {
      rounds: 0,
      kills: { server: 0, cli: 0 },
      documentsChecked: 0,
      failuresTyped: 0,
      successes: 0,
      lockTakeovers: 0,
    };
    let server: Proc | undefined;
    let url = '';
    let httpSeq = 0;
    const log: string[] = [];

    const startServer = async () => {
      server = run('server', ['serve', '--port', '0', '--wait', '60'], dir);
      const deadline = Date.now() + 60_000;
      while (!/serving on (http:\S+)/.test(server.out.stdout)) {
        if (Date.now() > deadline) throw new Error(`the server did not start:\n${server.out.stderr}`);
        const ended = await Promise.race([
          server.exit,
          new Promise((r) => setTimeout(() => r(undefined), 25)),
        ]);
        if (ended) throw new Error(`the server exited:\n${server.out.stderr}`);
      }
      url = /serving on (http:\S+)/.exec(server.out.stdout)![1]!;
    };

    try {
      for (let round = 0; round < ROUNDS; round++) {
        // New files in both folders, and one earlier file of each changed.
        const written = { a: [] as string[], b: [] as string[] };
        for (const folder of ['a', 'b'] as const) {
          for (let i = 0; i < FILES_PER_ROUND; i++) {
            const source = `${folder}/r${round}-${i}.md`;
            const text = `# ${source}\n\nMarker ${folder}r${round}f${i}z.\n`;
            writeFileSync(join(dir, source), text);
          }
          if (round > 0) {
            const source = `${folder}/r${round - 1}-0.md`;
            writeFileSync(join(dir, source), `# ${source}\n\nChanged marker ${folder}c${round}z.\n`);
          }
          for (let r = 0; r <= round; r++)
            for (let i = 0; i < FILES_PER_ROUND; i++) written[folder].push(`${folder}/r${r}-${i}.md`);
        }
        // Every third round without a server: the CLIs are the writers and meet each other's lock.
        const withServer = round % 3 !== 2;
        if (withServer && !server) await startServer();
        if (!withServer && server) {
          server.child.kill('SIGINT');
          await server.exit;
          server = undefined;
        }

        const cliA = run('cli a', ['ingest', 'a', '--wait', '60'], dir);
        const cliB = run('cli b', ['ingest', 'b', '--wait', '60'], dir);
        const http: { ids: string[]; outcome: 'applied' | 'typed' | 'lost' }[] = [];
        let clisDone = false;
        const httpDone = (async () => {
          if (!withServer) return;
          for (let n = 0; n < HTTP_REQUESTS && (n < 2 || !clisDone); n++) {
            const ids = Array.from({ length: DOCS_PER_REQUEST }, () => `h${httpSeq++}`);
            try {
              const response = await fetch(`${url}/ingest`, {
                method: 'POST',
                headers: { 'content-type': 'application/json' },
                body: JSON.stringify({ documents: ids.map((id) => ({ id, text: `HTTP marker ${id}q.` })) }),
              });
              const body = (await response.json()) as { applied?: boolean; error?: { code?: string } };
              if (response.status === 200 && body.applied === true) http.push({ ids, outcome: 'applied' });
              else if (body.error?.code) http.push({ ids, outcome: 'typed' });
              else throw new Error(`untyped answer ${response.status}: ${JSON.stringify(body)}`);
            } catch (error) {
              if ((error as Error).message.startsWith('untyped')) throw error;
              http.push({ ids, outcome: 'lost' }); // the connection broke: only when the server was killed
            }
            await new Promise((r) => setTimeout(r, 30));
          }
        })();

        // kill -9 one of the three at a seeded moment (most rounds). Without a server, the CLI that holds
        // the lock is killed while it writes, so the other one meets a lock whose process is gone.
        const running = (p: Proc) => p.child.exitCode === null && p.child.signalCode === null;
        let victim: Proc | undefined;
        let delay = 0;
        if (withServer && random() < 0.85) {
          const victims = [server!, cliA, cliB];
          victim = victims[Math.floor(random() * victims.length)]!;
          delay = 150 + Math.floor(random() * 2500);
          await sleep(delay);
        } else if (!withServer) {
          const started = Date.now();
          while (!victim && [cliA, cliB].some(running) && Date.now() - started < 60_000) {
            const pid = (await readWriterLock(join(dir, '.ragloom')))?.holder?.pid;
            victim = [cliA, cliB].find((p) => p.child.pid === pid);
            if (!victim) await sleep(10);
          }
          delay = Math.floor(random() * 600);
          await sleep(delay);
        }
        if (victim) {
          if (running(victim)) {
            victim.killed = true;
            victim.child.kill('SIGKILL');
            if (victim === server) figures.kills.server++;
            else figures.kills.cli++;
          }
        }

        const results = await Promise.all([cliA.exit, cliB.exit]);
        clisDone = true;
        if (!withServer && victim?.killed) {
          // The lock the killed holder left behind is taken over: the other CLI finished.
          const survivor = victim === cliA ? cliB : cliA;
          expect(survivor.child.exitCode, survivor.out.stderr).toBe(0);
          figures.lockTakeovers++;
        }
        await httpDone;
        if (server?.killed) {
          await server.exit;
          server = undefined;
        }

        // What each run said.
        for (const [proc, folder, result] of [
          [cliA, 'a', results[0]],
          [cliB, 'b', results[1]],
        ] as const) {
          if (result.code === 0) {
            expect(proc.out.stdout, proc.out.stderr).toMatch(/files: \d+ new/);
            figures.successes++;
            for (const source of written[folder]) {
              files.set(source, readFileSync(join(dir, source), 'utf8'));
              uncertain.delete(source);
            }
          } else {
            if (!proc.killed) {
              expect(proc.out.stderr, `${proc.name} failed without a typed error`).toMatch(TYPED);
              figures.failuresTyped++;
            }
            for (const source of written[folder]) {
              const now = readFileSync(join(dir, source), 'utf8');
              if (files.get(source) !== now) {
                files.delete(source);
                uncertain.add(source);
              }
            }
          }
        }
        for (const request of http) {
          if (request.outcome === 'applied') {
            for (const id of request.ids) api.add(`api://${id}`);
            figures.successes++;
          } else if (request.outcome === 'typed') figures.failuresTyped++;
          else expect(victim?.name, 'an HTTP ingest lost its connection while the server ran').toBe('server');
        }

        // The set opens cleanly, and holds every successful write exactly once in every member.
        const reader = await openRuntime(await loadConfig({ cwd: dir, env: {} }));
        try {
          const byMember: Map<string, string[]>[] = [];
          for (const entry of reader.retrievers) {
            const texts = new Map<string, string[]>();
            for await (const page of entry.retriever.scan!({ batchSize: 500 })) {
              for (const record of page) {
                const documentId = String(record.metadata?.documentId);
                texts.set(documentId, [...(texts.get(documentId) ?? []), record.text]);
              }
            }
            byMember.push(texts);
          }
          expect([...byMember[0]!.keys()].sort()).toEqual([...byMember[1]!.keys()].sort());
          const state = reader.indexSet.state;
          for (const [source, text] of files) {
            const marker = /[Mm]arker (\S+)\./.exec(text)![1]!;
            for (const texts of byMember) {
              expect(texts.get(source), `${source} in round ${round}`).toHaveLength(1);
              expect(texts.get(source)![0]).toContain(marker);
            }
            expect(state.files[source]?.sha256, `${source} in the ingest state`).toBe(sha256(text));
            figures.documentsChecked++;
          }
          for (const id of api) {
            for (const texts of byMember) expect(texts.get(id), `${id} in round ${round}`).toHaveLength(1);
            expect(state.api[id]).toBeDefined();
            figures.documentsChecked++;
          }
          // Nothing is there twice: each marker is in one record per member.
          for (const texts of byMember) {
            const markers = [...texts.values()].flat().map((t) => /[Mm]arker (\S+)\./.exec(t)?.[1]);
            expect(new Set(markers).size).toBe(markers.length);
          }
          expect(reader.indexSet.problems).toEqual([]);
        } finally {
          await reader.close();
        }
        figures.rounds++;
        const waited = (p: Proc) =>
          /waiting for the index lock/.test(p.out.stderr) ? ' (waited for the lock)' : '';
        const said = (p: Proc, r: { code: number | null }) =>
          (p.killed ? 'killed' : r.code === 0 ? 'ok' : (TYPED.exec(p.out.stderr)?.[0] ?? `exit ${r.code}`)) +
          waited(p);
        const count = (o: string) => http.filter((h) => h.outcome === o).length;
        log.push(
          `round ${round} (${withServer ? 'server' : 'no server'}): ${victim?.killed ? `kill -9 ${victim.name} ${withServer ? `at ${delay} ms` : `${delay} ms after it took the lock`}` : 'no kill'}; ` +
            `cli a ${said(cliA, results[0])}, cli b ${said(cliB, results[1])}; http ${count('applied')} applied, ` +
            `${count('typed')} typed errors, ${count('lost')} lost with the server`,
        );
      }
    } finally {
      if (server) {
        server.child.kill('SIGINT');
        await server.exit;
      }
    }
    console.log(
      `${log.join('\n')}\nstress (seed ${SEED}): ${figures.rounds} rounds, ${figures.kills.server + figures.kills.cli} kills ` +
        `(server ${figures.kills.server}, CLI ${figures.kills.cli}; ${figures.lockTakeovers} locks of a killed CLI taken over), ${figures.successes} successful writes, ` +
        `${figures.failuresTyped} failures with a typed error, ${figures.documentsChecked} documents checked`,
    );
    expect(figures.rounds).toBe(ROUNDS);
  }, 300_000); // about 45 s on 2 shared cores at load average 20–30
});
