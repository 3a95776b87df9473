import { describePluginConformance, optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPgFullTextRetriever,
  createPgvectorRetriever,
  type PgFullTextRetriever,
  type PgvectorRetriever,
  ragloomPlugin,
} from '../src/index.js';
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

describe('options declared once: the factories and the plugin refuse a bad option alike', () => {
  const issuesOf = (error: unknown) =>
    [...(error as { details: { issues: { path: string; message: string }[] } }).details.issues].sort((a, b) =>
      a.path.localeCompare(b.path),
    );
  const thrown = (run: () => unknown): unknown => {
    try {
      run();
    } catch (error) {
      return error;
    }
    return undefined;
  };

  it('vector: the same INVALID_CONFIG code, details shape and issue text from createPgvectorRetriever and the plugin', async () => {
    const fromFactory = thrown(() =>
      createPgvectorRetriever({
        connectionString: server.connectionString,
        table: 'bad',
        encoderModelId: 'test/enc',
        dimension: 3,
        efSearch: 0,
        namespace: 'a\u0000b',
        hnsw: { m: 101 },
      }),
    );
    const fromPlugin = await rejectionOf(
      Promise.resolve().then(() =>
        ragloomPlugin.retriever.create(
          { connectionStringEnv: ENV, table: 'bad', efSearch: 0, namespace: 'a\u0000b', m: 101 },
          pluginTestContext('retriever', '/nonexistent', { denseManifest }),
        ),
      ),
    );
    expect(fromFactory).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'createPgvectorRetriever' },
    });
    expect(fromPlugin).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'retriever (@ragloom/retriever-pgvector)' },
    });
    const messages = (error: unknown) => issuesOf(error).map((issue) => issue.message);
    expect(messages(fromFactory)).toEqual([
      'expected an integer from 1 to 1000, got 0',
      'expected an integer from 2 to 100, got 101',
      'must not contain NUL',
    ]);
    expect(messages(fromPlugin)).toEqual(messages(fromFactory));
    expect(issuesOf(fromPlugin).map((i) => i.path)).toEqual(['efSearch', 'm', 'namespace']);
    expect(issuesOf(fromFactory).map((i) => i.path)).toEqual(['efSearch', 'hnsw.m', 'namespace']);
  });

  it('fulltext: createPgFullTextRetriever and the plugin refuse the same configuration name and bitmask', async () => {
    const options = { textSearchConfig: 'english; DROP TABLE x', rankNormalization: 64 };
    const fromFactory = thrown(() =>
      createPgFullTextRetriever({ connectionString: server.connectionString, table: 'bad', ...options }),
    );
    const fromPlugin = await rejectionOf(
      Promise.resolve().then(() =>
        ragloomPlugin.retriever.create(
          { connectionStringEnv: ENV, table: 'bad', search: 'fulltext', ...options },
          pluginTestContext('retriever', '/nonexistent'),
        ),
      ),
    );
    for (const error of [fromFactory, fromPlugin]) {
      expect(error).toMatchObject({ code: 'INVALID_CONFIG' });
      expect(issuesOf(error)).toEqual([
        { path: 'rankNormalization', message: 'expected an integer from 0 to 63, got 64' },
        {
          path: 'textSearchConfig',
          message: 'expected a text search configuration name, got "english; DROP TABLE x"',
        },
      ]);
    }
  });

  it('efConstruction defaults to 2 × m for a large m (pgvector refuses less); an explicit one below 2 × m is refused', async () => {
    const base = {
      connectionString: server.connectionString,
      table: uniqueTable('efc'),
      encoderModelId: 'e',
      dimension: 3,
    };
    const large = createPgvectorRetriever({ ...base, hnsw: { m: 64 } });
    created.push(large);
    await large.init(); // CREATE INDEX … WITH (m = 64, ef_construction = 128) on a real pgvector
    await large.upsert([{ id: 'a', text: 'a', vector: [1, 0, 0] }]);
    expect((await large.search({ vector: [1, 0, 0], k: 1 })).map((h) => h.id)).toEqual(['a']);
    expect(
      thrown(() => createPgvectorRetriever({ ...base, hnsw: { m: 16, efConstruction: 8 } })),
    ).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { issues: [{ path: 'hnsw', message: 'efConstruction (8) must be at least 2 × m (32)' }] },
    });
  });
});

// What the ragloom app checks when it loads this plugin, plus the kit's rules for options; on PGlite.
for (const search of ['vector', 'fulltext'] as const) {
  describePluginConformance(ragloomPlugin, {
    name: `@ragloom/retriever-pgvector (${search})`,
    kind: 'retriever',
    validOptions: { connectionStringEnv: ENV, search, table: uniqueTable(`conf_${search}`) },
    invalidOptions: [
      { options: { connectionStringEnv: ENV, search, efSearch: 0, m: 101 }, paths: ['efSearch', 'm'] },
      {
        options: { connectionStringEnv: 'not a name', search: 'both' },
        paths: ['connectionStringEnv', 'search'],
      },
    ],
    context: (dir) => pluginTestContext('retriever', dir, { denseManifest }),
    destroy: async (retriever) => {
      const r = retriever as PgvectorRetriever;
      await r.dropTable();
      await r.close();
    },
  });
}
