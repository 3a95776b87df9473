import {
  compareHits,
  compileFilter,
  copyRecords,
  createMemoryVectorRetriever,
  type Filter,
  type RetrieverRecord,
  seededRandom,
  similarity,
} from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPgFullTextRetriever,
  createPgvectorRetriever,
  MIGRATION_LOCK,
  type PgvectorRetriever,
} from '../src/index.js';
import { databaseUrl, pgliteServer, type TestServer, testPool, uniqueTable } from './support/connections.js';

function randomRecords(count: number, dimension: number, seed: number): RetrieverRecord[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `doc-${String(i).padStart(5, '0')}`,
    text: `text ${i}`,
    metadata: { shard: i % 10, rare: i % 97 === 0, group: ['a', 'b', 'c'][i % 3]! },
    vector: Array.from({ length: dimension }, () => random() * 2 - 1),
  }));
}

function exactTopK(records: RetrieverRecord[], query: number[], filter: Filter, k: number) {
  const predicate = compileFilter(filter);
  return records
    .filter((r) => predicate(r.metadata))
    .map((r) => ({ id: r.id, score: similarity('cosine', query, [...r.vector!]) }))
    .sort(compareHits)
    .slice(0, k)
    .map((h) => h.id);
}

// On the PGlite server always, and on DATABASE_URL when it is set (where pools are truly concurrent).
function retrieverTestsOn(server: TestServer) {
  describe(`pgvector retriever on ${server.name}`, () => {
    const pool = testPool(server.connectionString);
    const opened: PgvectorRetriever[] = [];
    afterAll(async () => {
      for (const r of opened) await r.dropTable().catch(() => {});
      await pool.end();
    });

    function open(options: Partial<Parameters<typeof createPgvectorRetriever>[0]> = {}): PgvectorRetriever {
      const retriever = createPgvectorRetriever({
        pool,
        table: uniqueTable('pgv'),
        encoderModelId: 'test/model',
        dimension: 8,
        ...options,
      });
      opened.push(retriever);
      return retriever;
    }

    it('searches through the HNSW index with the metric operator class, and filtered searches are complete', async () => {
      const retriever = open({ dimension: 16, efSearch: 64 });
      const records = randomRecords(2000, 16, 11);
      await retriever.upsert(records);
      const { rows: indexes } = await pool.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [
        retriever.table,
      ]);
      expect(indexes.map((r) => r.indexdef).join('\n')).toMatch(
        /USING hnsw \(embedding vector_cosine_ops\) WITH \(m='?16'?, ef_construction='?64'?\)/,
      );
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query("SET LOCAL hnsw.iterative_scan = 'strict_order'");
        await client.query('SET LOCAL enable_sort = off'); // what the retriever's index pass sets
        const plan = await client.query(
          `EXPLAIN SELECT id FROM "public"."${retriever.table}" WHERE namespace = 'default' AND metadata @> '{"group": "a"}'
         ORDER BY embedding <=> $1::vector(16) LIMIT 10`,
          [`[${records[0]!.vector!.join(',')}]`],
        );
        expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/Index Scan using \S+_hnsw/);
        await client.query('COMMIT');
      } finally {
        client.release();
      }
      const random = seededRandom(5);
      let recallSum = 0;
      let queries = 0;
      for (const filter of [
        {},
        { group: 'a' },
        { shard: { $in: [1, 2] } },
        { rare: true },
        { shard: 3, group: 'b' },
      ] as Filter[]) {
        for (let q = 0; q < 10; q++) {
          const query = Array.from({ length: 16 }, () => random() * 2 - 1);
          const expected = exactTopK(records, query, filter, 10);
          const hits = await retriever.search({ vector: query, k: 10, filter });
          // Complete: never fewer than the filter allows, whatever the index scan reached.
          expect(hits.length, JSON.stringify(filter)).toBe(expected.length);
          for (const hit of hits) expect(compileFilter(filter)(hit.metadata)).toBe(true);
          recallSum += hits.filter((h) => expected.includes(h.id)).length / expected.length;
          queries++;
          const exact = await retriever.search({ vector: query, k: 10, filter, exact: true });
          expect(
            exact.map((h) => h.id),
            'exact: true is exact',
          ).toEqual(expected);
        }
      }
      expect(recallSum / queries).toBeGreaterThan(0.9);
    });

    it('a search is three round trips, its settings sent with the BEGIN and in effect for the SELECT', async () => {
      const table = uniqueTable('trips');
      const connection = await pool.connect();
      const sent: string[] = [];
      const inEffect: unknown[] = [];
      let recording = false;
      const client = {
        async query(text: string, values?: unknown[]) {
          if (recording) {
            sent.push(text.split('\n')[0]!.trim());
            if (text.startsWith('SELECT id, text, metadata')) {
              const { rows } = await connection.query(
                "SELECT current_setting('hnsw.ef_search') AS ef, current_setting('enable_indexscan') AS indexscan, current_setting('enable_sort') AS sort, current_setting('hnsw.iterative_scan') AS iterative",
              );
              inEffect.push(rows[0]);
            }
          }
          return connection.query(text, values);
        },
      };
      try {
        const retriever = createPgvectorRetriever({
          client,
          table,
          encoderModelId: 'test/model',
          dimension: 8,
          efSearch: 64,
        });
        await retriever.upsert(randomRecords(50, 8, 3));
        recording = true;
        const hits = await retriever.search({ vector: randomRecords(1, 8, 9)[0]!.vector!, k: 5 });
        recording = false;
        expect(hits).toHaveLength(5);
        expect(sent).toEqual([
          'BEGIN; SET LOCAL hnsw.ef_search = 64; SET LOCAL enable_indexscan = on; SET LOCAL enable_sort = off; SET LOCAL hnsw.iterative_scan = strict_order',
          expect.stringMatching(/^SELECT id, text, metadata, embedding <=> \$1::vector\(8\) AS distance/),
          'COMMIT',
        ]);
        expect(inEffect).toEqual([{ ef: '64', indexscan: 'on', sort: 'off', iterative: 'strict_order' }]);
        // SET LOCAL ends with the transaction: the connection is left as it was.
        const { rows } = await connection.query("SELECT current_setting('enable_sort') AS sort");
        expect(rows[0].sort).toBe('on');
        await retriever.dropTable();
      } finally {
        connection.release();
      }
    });

    it('namespaces: each sees only its own records, with its own ids', async () => {
      const table = uniqueTable('tenants');
      const a = open({ table, namespace: 'tenant-a' });
      const b = open({ table, namespace: 'tenant-b' });
      const records = randomRecords(30, 8, 3);
      await a.upsert(records);
      await b.upsert(records.slice(0, 10).map((r) => ({ ...r, text: `b ${r.text}` })));
      expect(await a.count()).toBe(30);
      expect(await b.count()).toBe(10);
      const hits = await b.search({ vector: records[0]!.vector!, k: 100 });
      expect(hits).toHaveLength(10);
      expect(hits.every((h) => h.text.startsWith('b '))).toBe(true);
      expect((await b.delete({ filter: {} })).deleted).toBe(10);
      expect((await b.delete({ ids: [records[20]!.id] })).deleted).toBe(0);
      expect(await a.count()).toBe(30);
      const scanned: string[] = [];
      for await (const page of a.scan({ batchSize: 7 })) scanned.push(...page.map((r) => r.id));
      expect(scanned).toEqual(records.map((r) => r.id));
      const { rows } = await pool.query('SELECT indexdef FROM pg_indexes WHERE tablename = $1', [table]);
      expect(rows.map((r) => r.indexdef).join('\n')).toMatch(/PRIMARY KEY|pkey.*\(namespace, id\)/);
    });

    it('planner statistics are refreshed as autovacuum would: after 1,000 changed rows, then 1,000 + 10% of the table', async () => {
      const retriever = open();
      await retriever.init();
      const qualified = `"public"."${retriever.table}"`;
      // Autovacuum off for this table, so that only the retriever's ANALYZE can move reltuples.
      await pool.query(`ALTER TABLE ${qualified} SET (autovacuum_enabled = false)`);
      const estimate = async () => {
        const { rows } = await pool.query(
          'SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass',
          [qualified],
        );
        return Number(rows[0].n);
      };
      const records = randomRecords(2200, 8, 11);
      const never = await estimate(); // -1 (never analyzed) or 0 (counted when the index was built)
      expect(never).toBeLessThanOrEqual(0);
      for (let i = 0; i < 5; i++) await retriever.upsert(records.slice(i * 199, (i + 1) * 199));
      expect(await estimate(), '995 rows written: below the threshold').toBe(never);
      await retriever.upsert(records.slice(995, 1005));
      expect(await estimate(), '1,005 rows written in six upserts').toBe(1005);
      await retriever.upsert(records.slice(1005, 2105)); // 1,100 < 1,000 + 100.5
      expect(await estimate()).toBe(1005);
      await retriever.delete({ ids: [records[0]!.id] }); // deletes count as changes too
      expect(await estimate()).toBe(2104);
    }, 120_000); // 2,200 HNSW inserts: seconds natively, tens of seconds in PGlite on a loaded machine

    it('an upsert is one transaction: an abort between its batches stores nothing', async () => {
      const retriever = open({ batchSize: 10 });
      const records = randomRecords(100, 8, 4);
      await retriever.upsert(records.slice(0, 5));
      const controller = new AbortController();
      const progress: number[] = [];
      const error = await rejectionOf(
        retriever.upsert(
          records.map((r) => ({ ...r, text: 'changed' })),
          {
            signal: controller.signal,
            onProgress: (e) => {
              progress.push(e.completed);
              if (e.completed >= 20) controller.abort();
            },
          },
        ),
      );
      expect(error.code).toBe('ABORTED');
      expect(progress[0]).toBe(10);
      expect(await retriever.count()).toBe(5);
      const hits = await retriever.search({ vector: records[0]!.vector!, k: 100 });
      expect(hits.every((h) => h.text !== 'changed')).toBe(true);
    });

    it('concurrent calls return what the same calls return one at a time', async () => {
      const retriever = open({ dimension: 8 });
      const records = randomRecords(400, 8, 6);
      await retriever.upsert(records);
      const random = seededRandom(9);
      const requests = Array.from({ length: 24 }, (_, i) => ({
        vector: Array.from({ length: 8 }, () => random() * 2 - 1),
        k: 5 + (i % 7),
        filter: [{}, { group: 'b' }, { shard: { $gte: 5 } }][i % 3] as Filter,
      }));
      const sequential = [];
      for (const request of requests) sequential.push(await retriever.search(request));
      const concurrent = await Promise.all(requests.map((r) => retriever.search(r)));
      expect(concurrent).toEqual(sequential);
      const counts = await Promise.all(requests.map((r) => retriever.count(r.filter)));
      expect(counts).toEqual(await Promise.all(requests.map((r) => retriever.count(r.filter))));
    });

    it('two writers with their own pools upsert overlapping ids at once: no deadlock, nothing lost, each id whole', async () => {
      const table = uniqueTable('writers');
      const poolA = testPool(server.connectionString, 2);
      const poolB = testPool(server.connectionString, 2);
      try {
        const a = createPgvectorRetriever({ pool: poolA, table, encoderModelId: 'm', dimension: 8 });
        const b = createPgvectorRetriever({ pool: poolB, table, encoderModelId: 'm', dimension: 8 });
        opened.push(a);
        const records = randomRecords(300, 8, 8);
        const reversed = [...records]
          .reverse()
          .map((r) => ({ ...r, text: `b ${r.id}`, metadata: { writer: 'b' } }));
        await Promise.all([
          a.upsert(
            records.map((r) => ({ ...r, text: `a ${r.id}`, metadata: { writer: 'a' } })),
            {},
          ),
          b.upsert(reversed),
          a.upsert(
            records.slice(0, 50).map((r) => ({ ...r, text: `a2 ${r.id}`, metadata: { writer: 'a2' } })),
          ),
        ]);
        expect(await a.count()).toBe(300);
        for await (const page of a.scan({ batchSize: 100 })) {
          for (const r of page) {
            // Every row is one writer's record, whole: text and metadata from the same upsert.
            const writer = String(r.metadata?.writer);
            expect(r.text).toBe(`${writer} ${r.id}`);
          }
        }
        await b.close();
      } finally {
        await poolA.end();
        await poolB.end();
      }
    });

    it('four processes opening a new index at once run its migrations once', async () => {
      const table = uniqueTable('race');
      const pools = Array.from({ length: 4 }, () => testPool(server.connectionString, 1));
      try {
        const retrievers = pools.map((p) =>
          createPgvectorRetriever({ pool: p, table, encoderModelId: 'm', dimension: 8 }),
        );
        opened.push(retrievers[0]!);
        await Promise.all(retrievers.map((r) => r.init()));
        const { rows } = await pool.query(
          'SELECT step, count(*)::int AS n FROM ragloom_migrations WHERE table_name = $1 GROUP BY step ORDER BY step',
          [`public.${table}`],
        );
        expect(rows).toEqual([
          { step: 'dense:1', n: 1 },
          { step: 'table:1', n: 1 },
        ]);
        const other = createPgvectorRetriever({ pool, table, encoderModelId: 'another/model', dimension: 8 });
        const error = await rejectionOf(other.count());
        expect(error.code).toBe('MANIFEST_MISMATCH');
        expect(error.message).toContain('another/model');
        for (const r of retrievers.slice(1)) await r.close();
      } finally {
        for (const p of pools) await p.end();
      }
      expect(MIGRATION_LOCK[0]).toBe(0x7261676c);
    });

    it('manifest, dimension and storage mismatches are typed errors; a missing table can be NOT_FOUND', async () => {
      const table = uniqueTable('manifest');
      const first = open({ table, metric: 'dot' });
      await first.upsert(randomRecords(3, 8, 1));
      for (const options of [
        { dimension: 4 },
        { metric: 'l2' as const },
        { encoderModelId: 'x' },
        { vectorType: 'halfvec' as const },
      ]) {
        const error = await rejectionOf(
          createPgvectorRetriever({
            pool,
            table,
            encoderModelId: 'test/model',
            dimension: 8,
            metric: 'dot',
            ...options,
          }).init(),
        );
        expect(error.code, JSON.stringify(options)).toBe('MANIFEST_MISMATCH');
      }
      const dimension = await rejectionOf(first.upsert([{ id: 'x', text: 'x', vector: [1, 2, 3] }]));
      expect(dimension.code).toBe('DIMENSION_MISMATCH');
      const missing = await rejectionOf(open({ createTable: false }).count());
      expect(missing.code).toBe('NOT_FOUND');
      expect(() => createPgvectorRetriever({ pool, table, encoderModelId: 'm', dimension: 3000 })).toThrow(
        /2000/,
      );
      expect(() =>
        createPgvectorRetriever({
          pool,
          table,
          encoderModelId: 'm',
          dimension: 8,
          hnsw: { m: 16, efConstruction: 8 },
        }),
      ).toThrow(/efConstruction/);
      expect(() => createPgvectorRetriever({ table, encoderModelId: 'm', dimension: 8 })).toThrow(
        /connectionString, pool or client/,
      );
    });

    it('SQL errors carry the SQLSTATE; an unreachable server is CONNECTION_ERROR naming it without the password', async () => {
      const retriever = open();
      await retriever.upsert(randomRecords(3, 8, 2));
      await pool.query(`DROP TABLE "public"."${retriever.table}"`);
      const gone = await rejectionOf(retriever.count());
      expect(gone.code).toBe('NOT_FOUND');
      expect(gone.details).toMatchObject({ sqlstate: '42P01', operation: 'count' });
      const unreachable = createPgvectorRetriever({
        connectionString: 'postgresql://ragloom:secret-password@127.0.0.1:9/nowhere',
        poolOptions: { connectionTimeoutMillis: 2000 },
        table: 'x',
        encoderModelId: 'm',
        dimension: 8,
      });
      const error = await rejectionOf(unreachable.count());
      expect(error.code).toBe('CONNECTION_ERROR');
      expect(error.retryable).toBe(true);
      expect(error.message).toContain('127.0.0.1:9/nowhere');
      expect(error.message).not.toContain('secret-password');
      await unreachable.close();
    });

    it('halfvec storage: half-precision scores, same neighbours', async () => {
      const records = randomRecords(200, 8, 12);
      const half = open({ vectorType: 'halfvec', metric: 'l2' });
      await half.upsert(records);
      const full = createMemoryVectorRetriever({ encoderModelId: 'test/model', dimension: 8, metric: 'l2' });
      await full.upsert(records);
      const query = records[7]!.vector!;
      const want = await full.search({ vector: query, k: 5 });
      const got = await half.search({ vector: query, k: 5 });
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      got.forEach((h, i) => {
        expect(Math.abs(h.score - want[i]!.score)).toBeLessThan(2e-2);
      });
      const { rows } = await pool.query(
        'SELECT format_type(atttypid, atttypmod) AS type FROM pg_attribute WHERE attrelid = $1::regclass AND attname = $2',
        [`public."${half.table}"`, 'embedding'],
      );
      expect(rows[0].type).toBe('halfvec(8)');
    });

    it('moves an index: memory → Postgres with copyRecords (what ragloom import does), same hits and scores', async () => {
      const records = randomRecords(120, 8, 13);
      const local = createMemoryVectorRetriever({
        encoderModelId: 'test/model',
        dimension: 8,
        metric: 'cosine',
      });
      await local.upsert(records);
      const remote = open();
      expect((await copyRecords(local, remote, { batchSize: 25 })).copied).toBe(120);
      const query = records[3]!.vector!;
      const want = await local.search({ vector: query, k: 10, filter: { group: 'c' } });
      const got = await remote.search({ vector: query, k: 10, filter: { group: 'c' } });
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      for (const [i, h] of got.entries()) expect(h.score).toBeCloseTo(want[i]!.score, 5);
    });

    it('hybrid on one table: the full-text retriever searches the rows the vector retriever wrote', async () => {
      const table = uniqueTable('hybrid');
      const dense = open({ table });
      const lexical = createPgFullTextRetriever({ pool, table });
      await dense.upsert([
        { id: 'a', text: 'Hybrid search fuses BM25 and dense retrieval', vector: [1, 0, 0, 0, 0, 0, 0, 0] },
        { id: 'b', text: 'Reranking comes after retrieval', vector: [0, 1, 0, 0, 0, 0, 0, 0] },
      ]);
      expect((await lexical.search({ text: 'fusing', k: 5 })).map((h) => h.id)).toEqual(['a']);
      await lexical.upsert([{ id: 'c', text: 'Only the lexical side has this row' }]);
      expect(await lexical.count()).toBe(3);
      expect(await dense.count(), 'rows without a vector are not in the dense index').toBe(2);
      expect((await dense.search({ vector: [1, 0, 0, 0, 0, 0, 0, 0], k: 10 })).map((h) => h.id)).toEqual([
        'a',
        'b',
      ]);
      await lexical.close();
    });
  });
}

retrieverTestsOn(pgliteServer());
if (databaseUrl) retrieverTestsOn({ name: 'DATABASE_URL', connectionString: databaseUrl });
