import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DOCS, HYBRID_CONFIG, makeProject, runCli } from './helpers/project.js';

// The README's move from a local HNSW index to Postgres, through the CLI as a user runs it, against a real
// Postgres with pgvector: PGlite (Postgres 18 + pgvector 0.8 in WebAssembly) served on 127.0.0.1 by
// pglite-socket. It serves one connection at a time, so the retriever's pool is given one (`poolMax: 1`),
// and each CLI run has ended (and closed it) before the next starts.
const ENV = 'RAGLOOM_TEST_DATABASE_URL';
let db: PGlite;
let server: PGLiteSocketServer;
let env: Record<string, string>;

beforeAll(async () => {
  db = await PGlite.create({ extensions: { vector } });
  server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
  await server.start();
  env = { [ENV]: `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable` };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await db?.close();
});

const pgvectorRetriever = (name: string, table: string) => ({
  name,
  use: '@ragloom/retriever-pgvector',
  options: { connectionStringEnv: ENV, table, poolMax: 1 },
});

type Hit = { id: string; retrievers: { retriever: string; rank: number }[] };

/** The chunk the local dense retriever ranks first for `query`. */
async function localDenseTop(dir: string, query: string): Promise<string> {
  const { stdout } = await runCli(['query', query, '--json'], { cwd: dir });
  const hits: Hit[] = JSON.parse(stdout).hits;
  const top = hits.find((h) => h.retrievers.some((r) => r.retriever === 'dense' && r.rank === 1));
  expect(top, stdout).toBeDefined();
  return top!.id;
}

describe('moving a local HNSW index to Postgres with pgvector (PGlite)', () => {
  it('export from HNSW, import into a Postgres table, same top hit', async () => {
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
    const exported = await runCli(['export', '--retriever', 'dense', '--out', 'dense.jsonl'], { cwd: dir });
    expect(exported.code, exported.stderr).toBe(0);
    const records = readFileSync(join(dir, 'dense.jsonl'), 'utf8').trimEnd().split('\n').length - 2;
    expect(records).toBeGreaterThan(2);

    const target = makeProject(
      {},
      { ...HYBRID_CONFIG, retrievers: [pgvectorRetriever('dense', 'moved_by_import')] },
    );
    const imported = await runCli(['import', join(dir, 'dense.jsonl')], { cwd: target, env });
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stderr).toContain(`the dense index now holds ${records} records`);
    const remote = await runCli(['query', 'server port', '--json'], { cwd: target, env });
    expect(remote.code, remote.stderr).toBe(0);
    expect(JSON.parse(remote.stdout).hits[0].id).toBe(await localDenseTop(dir, 'server port'));
  }, 120_000);

  it('export --to copies straight into a configured Postgres retriever', async () => {
    const dir = makeProject(DOCS, {
      ...HYBRID_CONFIG,
      retrievers: [...HYBRID_CONFIG.retrievers!, pgvectorRetriever('postgres', 'moved_by_copy')],
    });
    expect((await runCli(['ingest', 'docs'], { cwd: dir, env })).code).toBe(0);
    const copied = await runCli(['export', '--retriever', 'dense', '--to', 'postgres'], { cwd: dir, env });
    expect(copied.code, copied.stderr).toBe(0);
    const count = Number(/copied (\d+) records from dense to postgres/.exec(copied.stderr)?.[1]);
    expect(count).toBeGreaterThan(2);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM public.moved_by_copy');
    expect(rows[0]!.n).toBe(count);
  }, 120_000);

  it('a config naming an unset connection variable fails at startup with INVALID_CONFIG naming it', async () => {
    const dir = makeProject(DOCS, { ...HYBRID_CONFIG, retrievers: [pgvectorRetriever('dense', 'never')] });
    const result = await runCli(['ingest', 'docs'], { cwd: dir, env: { [ENV]: undefined } });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(ENV);
    expect(result.stderr).toMatch(/INVALID_CONFIG|not set/);
  }, 60_000);
});
