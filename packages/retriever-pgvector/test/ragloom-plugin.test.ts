import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { type PgFullTextRetriever, type PgvectorRetriever, ragloomPlugin } from '../src/index.js';
import { pgliteServer, uniqueTable } from './support/connections.js';

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;
const server = pgliteServer();
const ENV = 'RAGLOOM_TEST_PG_URL';
process.env[ENV] = server.connectionString;
const created: (PgvectorRetriever | PgFullTextRetriever)[] = [];
afterAll(async () => {
  for (const r of created) {
    await r.dropTable();
    await r.close();
  }
});

describe('ragloomPlugin', () => {
  it('builds a vector and a full-text retriever on one table from a config naming the environment variable', async () => {
    const table = uniqueTable('plugin');
    const context = pluginTestContext('retriever', '/nonexistent', { denseManifest, name: 'dense' });
    const dense = (await ragloomPlugin.retriever!.create(
      { connectionStringEnv: ENV, table },
      context,
    )) as PgvectorRetriever;
    const lexical = (await ragloomPlugin.retriever!.create(
      { connectionStringEnv: ENV, table, search: 'fulltext', textSearchConfig: 'simple' },
      pluginTestContext('retriever', '/nonexistent', { name: 'lexical' }),
    )) as PgFullTextRetriever;
    created.push(dense, lexical);
    expect(dense.manifest).toEqual(denseManifest);
    expect(lexical.manifest).toEqual({ kind: 'sparse', analyzer: 'postgres-fts:simple' });
    await dense.upsert([{ id: 'a', text: 'Postgres serves both searches', vector: [1, 0, 0] }]);
    expect((await lexical.search({ text: 'postgres', k: 3 })).map((h) => h.id)).toEqual(['a']);
  });

  it('reports a missing variable, a missing encoder and a wrong manifest at startup; names bad options by field', async () => {
    const context = pluginTestContext('retriever', '/nonexistent', { denseManifest });
    const unset = await rejectionOf(
      Promise.resolve().then(() =>
        ragloomPlugin.retriever!.create({ connectionStringEnv: 'RAGLOOM_NO_SUCH_VARIABLE' }, context),
      ),
    );
    expect(unset.code).toBe('INVALID_CONFIG');
    expect(unset.message).toContain('RAGLOOM_NO_SUCH_VARIABLE');
    const noEncoder = await rejectionOf(
      Promise.resolve().then(() =>
        ragloomPlugin.retriever!.create({ connectionStringEnv: ENV }, pluginTestContext('retriever', '/x')),
      ),
    );
    expect(noEncoder.code).toBe('INVALID_CONFIG');
    const table = uniqueTable('plugin');
    const first = (await ragloomPlugin.retriever!.create(
      { connectionStringEnv: ENV, table },
      context,
    )) as PgvectorRetriever;
    created.push(first);
    const other = await rejectionOf(
      Promise.resolve().then(() =>
        ragloomPlugin.retriever!.create(
          { connectionStringEnv: ENV, table },
          pluginTestContext('retriever', '/x', {
            denseManifest: { ...denseManifest, encoderModelId: 'other/enc' },
          }),
        ),
      ),
    );
    expect(other.code).toBe('MANIFEST_MISMATCH');
    expect(
      await optionIssuePaths(ragloomPlugin.retriever!.optionsSchema, {
        connectionString: 'postgresql://user:secret@host/db',
        metric: 'manhattan',
        search: 'bm25',
        textSearchConfig: "english'; --",
      }),
    ).toEqual(['connectionString', 'search', 'metric', 'textSearchConfig']);
  });
});
