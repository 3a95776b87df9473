import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CLI,
  committedFile,
  committedState,
  DOCS,
  FIXTURE_PLUGINS,
  HYBRID_CONFIG,
  makeProject,
  runCli as runAnyCli,
} from './helpers/project.js';

// These configs load the slow encoder fixture by module path: code the user trusts.
const TRUSTED = { RAGLOOM_TRUST_CONFIG: '1' };
const runCli = (args: readonly string[], options: Parameters<typeof runAnyCli>[1]) =>
  runAnyCli(args, { ...options, env: { ...TRUSTED, ...options.env } });

const SLOW_CONFIG = {
  ...HYBRID_CONFIG,
  encoder: { use: join(FIXTURE_PLUGINS, 'slow-encoder.mjs'), options: { batchDelayMs: 30, batchSize: 8 } },
  ingest: { checkpointSeconds: 0.2 },
};

const LONG_CONFIG = {
  ...SLOW_CONFIG,
  encoder: { ...SLOW_CONFIG.encoder, options: { batchDelayMs: 60, batchSize: 8 } },
};

function folder(prefix: string, n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i++)
    files[`${prefix}/doc-${String(i).padStart(3, '0')}.md`] =
      `# ${prefix} ${i}\n\nThe marker ${prefix}${i}mark is here.\n`;
  return files;
}

interface Running {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  readonly exit: Promise<number | null>;
}

function start(args: string[], cwd: string): Running {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', RAGLOOM_MODELS: undefined, ...TRUSTED },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output.stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output.stderr += d));
  return { child, output, exit: new Promise((resolve) => child.on('close', (code) => resolve(code))) };
}

async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

const chunksIn = (doctor: string, name: string) =>
  Number(new RegExp(`index ${name}: (\\d+) chunks`).exec(doctor)?.[1]);

describe('several writers on one data dir (the ragloom binary)', () => {
  it('two ingests of different folders at once both keep their documents; one waits for the other (item 2)', async () => {
    // The first ingest takes a few seconds (400 files, 60 ms per batch of 8), so the second surely meets it.
    const dir = makeProject({ ...folder('a', 400), ...folder('b', 24) }, LONG_CONFIG);
    const a = start(['ingest', 'a'], dir);
    await until(() => existsSync(join(dir, '.ragloom', 'writer.lock')), 'the first writer to lock');
    const second = await runCli(['ingest', 'b'], { cwd: dir, timeoutMs: 60_000 });
    const first = { code: await a.exit, ...a.output };
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(first.stdout).toContain('files: 400 new');
    expect(second.stdout).toContain('files: 24 new');
    expect(second.stderr).toMatch(
      new RegExp(`waiting for the index lock: it is held by \`ragloom ingest a\` \\(pid ${a.child.pid} on `),
    );
    const doctor = await runCli(['doctor'], { cwd: dir });
    expect(doctor.stdout).toContain('no problems found');
    expect(chunksIn(doctor.stdout, 'bm25')).toBe(424);
    expect(chunksIn(doctor.stdout, 'dense')).toBe(424);
    for (const marker of ['a399mark', 'b23mark']) {
      const hits = JSON.parse(
        (await runCli(['query', marker, '--json', '-k', '1'], { cwd: dir })).stdout,
      ).hits;
      expect(hits[0].text).toContain(marker);
    }
  }, 120_000);

  it('with --wait 0 the second writer fails with INDEX_LOCKED naming the first', async () => {
    const dir = makeProject({ ...folder('a', 400), ...folder('b', 2) }, LONG_CONFIG);
    const slow = start(['ingest', 'a'], dir);
    await until(() => existsSync(join(dir, '.ragloom', 'writer.lock')), 'the first writer to lock');
    const refused = await runCli(['ingest', 'b', '--wait', '0'], { cwd: dir });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('error [INDEX_LOCKED]');
    expect(refused.stderr).toMatch(
      new RegExp(`being written by \`ragloom ingest a\` \\(pid ${slow.child.pid} on `),
    );
    expect(refused.stderr).toContain('fix: wait for it to finish');
    expect(await slow.exit).toBe(0);
  }, 120_000);

  it('while serve owns the data dir, ingest goes through it, /ingest keeps the CLI files, and import is refused (item 3)', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    expect(
      (await runCli(['export', '--retriever', 'dense', '--out', 'dense.jsonl'], { cwd: dir })).code,
    ).toBe(0);
    const server = start(['serve', '--port', '0'], dir);
    await until(() => /serving on (http:\S+)/.test(server.output.stdout), 'the server');
    const url = /serving on (http:\S+)/.exec(server.output.stdout)![1]!;
    try {
      writeFileSync(join(dir, 'docs', 'new.md'), '# New\n\nThe quokka paddock is behind the barn.\n');
      const through = await runCli(['ingest', 'docs'], { cwd: dir });
      expect(through.code, through.stderr).toBe(0);
      expect(through.stderr).toMatch(/the index is served by `ragloom serve` \(pid \d+ on .*, serving http/);
      expect(through.stdout).toContain('files: 1 new, 0 changed, 3 unchanged');

      const post = await fetch(`${url}/ingest`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ documents: [{ id: 'http-note', text: 'Sent over HTTP.' }] }),
      });
      expect(post.status).toBe(200);
      const search = await fetch(`${url}/search`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: 'quokka paddock', k: 1 }),
      });
      expect(((await search.json()) as { hits: { source: string }[] }).hits[0]!.source).toBe('docs/new.md');
      // A reader process sees what the server committed.
      const query = JSON.parse(
        (await runCli(['query', 'quokka paddock', '--json', '-k', '1'], { cwd: dir })).stdout,
      );
      expect(query.hits[0].source).toBe('docs/new.md');
      const again = await runCli(['ingest', 'docs'], { cwd: dir });
      expect(again.stdout).toContain('files: 0 new, 0 changed, 4 unchanged');

      const imported = await runCli(['import', 'dense.jsonl', '--retriever', 'dense'], { cwd: dir });
      expect(imported.code).toBe(1);
      expect(imported.stderr).toContain('error [INDEX_LOCKED]');
      expect(imported.stderr).toContain(
        'stop that server (Ctrl-C in its terminal), then run `ragloom import dense.jsonl` again',
      );
      const second = await runCli(['serve', '--port', '0', '--wait', '0'], { cwd: dir });
      expect(second.code).toBe(1);
      expect(second.stderr).toContain('ragloom serve --read-only');
    } finally {
      server.child.kill('SIGINT');
      expect(await server.exit).toBe(0);
    }
    const doctor = await runCli(['doctor'], { cwd: dir });
    expect(doctor.stdout, doctor.stdout).toContain('no problems found');
    const state = committedState(join(dir, '.ragloom'));
    expect(Object.keys(state.files)).toContain('docs/new.md');
    expect(Object.keys(state.api)).toEqual(['api://http-note']);
  }, 120_000);

  it('a running chat answers from what another process ingested after it started', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    const chat = spawn(process.execPath, [CLI, 'chat'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', RAGLOOM_MODELS: undefined, ...TRUSTED },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    chat.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    const exit = new Promise((resolve) => chat.on('close', resolve));
    chat.stdin.write('Where is the quokka paddock?\n');
    await until(
      () => (stdout.match(/ragloom › /g) ?? []).length >= 1 && /\n$/.test(stdout),
      'the first answer',
    );
    expect(stdout).not.toContain('behind the barn');
    writeFileSync(join(dir, 'docs', 'new.md'), '# New\n\nThe quokka paddock is behind the barn.\n');
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    chat.stdin.end('Where is the quokka paddock?\n');
    expect(await exit).toBe(0);
    expect(stdout).toContain('The quokka paddock is behind the barn. [1]');
  }, 60_000);

  it('a writer killed with kill -9 leaves the last checkpoint; the next one takes over the lock and finishes', async () => {
    const dir = makeProject(folder('k', 150), SLOW_CONFIG);
    const victim = start(['ingest', 'k'], dir);
    const manifests = () =>
      existsSync(join(dir, '.ragloom', 'index-set'))
        ? readdirSync(join(dir, '.ragloom', 'index-set')).filter((n) => n.startsWith('manifest-')).length
        : 0;
    await until(() => manifests() > 0, 'a first checkpoint');
    victim.child.kill('SIGKILL');
    await victim.exit;
    const saved = Object.keys(committedState(join(dir, '.ragloom')).files).length;
    expect(saved).toBeGreaterThan(0);
    expect(saved).toBeLessThan(150);

    const doctor = await runCli(['doctor'], { cwd: dir });
    expect(doctor.stdout).toContain('a writer lock was left by a process that is gone');
    expect(doctor.stdout).toContain('no problems found');
    expect(chunksIn(doctor.stdout, 'dense')).toBe(saved);

    const rest = await runCli(['ingest', 'k', '--wait', '0'], { cwd: dir, timeoutMs: 60_000 });
    expect(rest.code, rest.stderr).toBe(0);
    expect(rest.stdout).toContain(`files: ${150 - saved} new, 0 changed, ${saved} unchanged`);
    const after = await runCli(['doctor'], { cwd: dir });
    expect(chunksIn(after.stdout, 'bm25')).toBe(150);
    expect(chunksIn(after.stdout, 'dense')).toBe(150);
  }, 120_000);

  it('doctor fails when a member comes from another corpus, naming both counts (item 8)', async () => {
    const big = makeProject(folder('a', 30), HYBRID_CONFIG);
    const small = makeProject(folder('b', 4), HYBRID_CONFIG);
    for (const dir of [big, small]) expect((await runCli(['ingest', '.'], { cwd: dir })).code).toBe(0);
    copyFileSync(
      committedFile(join(small, '.ragloom'), 'dense', 'hnsw.index'),
      committedFile(join(big, '.ragloom'), 'dense', 'hnsw.index'),
    );
    const doctor = await runCli(['doctor'], { cwd: big });
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✖ index dense: 4 chunks .*the set recorded 30/);
    expect(doctor.stdout).toContain('✔ index bm25: 30 chunks');
    expect(doctor.stdout).toContain('the members hold different numbers of records: bm25 30, dense 4');
    expect(doctor.stdout).toContain('fix: the members of this index set do not belong together');
    const query = await runCli(['query', 'marker'], { cwd: big });
    expect(query.code).toBe(1);
    expect(query.stderr).toContain('error [INDEX_MISMATCH]');
  }, 120_000);
});
