import { compileFilter, type Filter, type RetrieverRecord, seededRandom } from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgvectorRetriever, filterSql, type PgvectorRetriever, SqlParams } from '../src/index.js';
import { databaseUrl, pgliteServer, type TestServer, testPool, uniqueTable } from './support/connections.js';
import { fieldValues, filterCorpus, HOSTILE_FIELDS, randomFilter } from './support/filter-corpus.js';

// The SQL translation against core's reference evaluator, on a real Postgres: random nested filters over
// metadata that mixes every type the grammar distinguishes (numbers, numeric strings, booleans, arrays,
// empty arrays, nulls, missing fields, date-times in every accepted spelling and some that are not),
// with hostile field names and values. On the PGlite server always, and on DATABASE_URL when set.
const FILTER_COUNT = 2000;
const PER_STATEMENT = 100;

const corpus = filterCorpus(240);
const seen = fieldValues(corpus);

const expectedIds = (filter: Filter) => {
  const predicate = compileFilter(filter);
  return corpus.filter((r) => predicate(r.metadata)).map((r) => r.id);
};

function filterTestsOn(server: TestServer) {
  describe(`filters as parameterized SQL, on ${server.name}`, () => {
    const pool = testPool(server.connectionString);
    const table = uniqueTable('filters');
    let retriever: PgvectorRetriever;

    beforeAll(async () => {
      retriever = createPgvectorRetriever({ pool, table, encoderModelId: 'm', dimension: 4 });
      await retriever.upsert(corpus);
    });

    afterAll(async () => {
      await retriever.dropTable();
      await retriever.close();
      await pool.end();
    });

    it(`${FILTER_COUNT} random nested filters select exactly the records core's evaluator selects`, async () => {
      const random = seededRandom(20261124);
      const filters = Array.from({ length: FILTER_COUNT }, () => randomFilter(random, seen));
      const failures: string[] = [];
      let nonTrivial = 0;
      for (let start = 0; start < filters.length; start += PER_STATEMENT) {
        const batch = filters.slice(start, start + PER_STATEMENT);
        const params = new SqlParams();
        const ns = params.add('default');
        const columns = batch.map((f, i) => `${filterSql(f, params)} AS f${i}`).join(', ');
        const { rows } = await pool.query(
          `SELECT id, ${columns} FROM "public"."${table}" WHERE namespace = ${ns} ORDER BY id`,
          params.values,
        );
        batch.forEach((filter, i) => {
          const actual = rows.filter((row) => row[`f${i}`] === true).map((row) => row.id as string);
          const expected = expectedIds(filter);
          if (expected.length > 0 && expected.length < corpus.length) nonTrivial++;
          if (JSON.stringify(actual) !== JSON.stringify(expected)) {
            const missing = expected.filter((id) => !actual.includes(id));
            const extra = actual.filter((id) => !expected.includes(id));
            failures.push(`${JSON.stringify(filter)}: missing [${missing}] extra [${extra}]`);
          }
        });
      }
      expect(failures.slice(0, 10), `${failures.length} filters disagree with core`).toEqual([]);
      // The generator must exercise the semantics, not produce filters that match everything or nothing.
      expect(nonTrivial).toBeGreaterThan(FILTER_COUNT * 0.4);
    });

    it('the same through search, count and delete of the retriever', async () => {
      const random = seededRandom(7);
      for (let i = 0; i < 60; i++) {
        const filter = randomFilter(random, seen);
        const expected = expectedIds(filter);
        const hits = await retriever.search({ vector: [1, 0, 0, 0], k: corpus.length, filter });
        expect(hits.map((h) => h.id).sort(), JSON.stringify(filter)).toEqual(expected);
        expect(await retriever.count(filter), JSON.stringify(filter)).toBe(expected.length);
      }
      const scratch = createPgvectorRetriever({
        pool,
        table,
        namespace: 'scratch',
        encoderModelId: 'm',
        dimension: 4,
      });
      const filter: Filter = { $or: [{ [HOSTILE_FIELDS[1]]: { $exists: true } }, { tags: 'red' }] };
      await scratch.upsert(corpus);
      expect((await scratch.delete({ filter })).deleted).toBe(expectedIds(filter).length);
      expect(await scratch.count()).toBe(corpus.length - expectedIds(filter).length);
      await scratch.delete({ filter: {} });
    });

    it('hostile field names and values are data: nothing but parameters reaches the SQL text', () => {
      for (const field of HOSTILE_FIELDS.filter((f) => f !== '')) {
        for (const value of ["'; DROP TABLE ragloom_manifests; --", "O'Brien", '1 OR 1=1', '\\']) {
          const params = new SqlParams();
          const sql = filterSql(
            { [field]: value, $or: [{ [field]: { $gt: 1 } }, { [field]: { $in: [value, 2] } }] },
            params,
          );
          expect(sql).not.toContain(field);
          expect(sql).not.toContain(value);
          expect(sql).not.toMatch(/DROP|Brien/);
          expect(params.values.length).toBeGreaterThan(0);
        }
      }
    });

    it('hostile names and values match exactly the records holding them, and the tables survive', async () => {
      for (const field of HOSTILE_FIELDS.filter((f) => f !== '')) {
        for (const filter of [
          { [field]: { $exists: true } },
          { [field]: "'; DROP TABLE x; --" },
          { [field]: "O'Brien" },
          { [field]: { $nin: ['\\', 1] } },
        ] as Filter[]) {
          expect(await retriever.count(filter), JSON.stringify(filter)).toBe(expectedIds(filter).length);
        }
      }
      expect(await retriever.count()).toBe(corpus.length);
      const { rows } = await pool.query(
        "SELECT to_regclass('public.ragloom_manifests') IS NOT NULL AS present",
      );
      expect(rows[0].present).toBe(true);
    });

    it('NUL and lone surrogates: a filter naming them is decided without the database, an upsert holding them is refused', async () => {
      expect(await retriever.count({ 'a\u0000b': { $exists: false } })).toBe(corpus.length);
      expect(await retriever.count({ 'a\u0000b': 'x' })).toBe(0);
      expect(await retriever.count({ category: { $ne: 'news\u0000' } })).toBe(corpus.length);
      expect(await retriever.count({ category: { $in: ['news\u0000', 'news'] } })).toBe(
        expectedIds({ category: 'news' }).length,
      );
      expect(await retriever.count({ category: '\uD800' })).toBe(0);
      const bad: RetrieverRecord[] = [
        { id: 'x\u0000', text: 't', vector: [1, 0, 0, 0] },
        { id: 'x', text: 't\u0000', vector: [1, 0, 0, 0] },
        { id: 'x', text: 't', metadata: { 'k\u0000': 1 }, vector: [1, 0, 0, 0] },
        { id: 'x', text: 't', metadata: { k: ['ok', 'v\u0000'] }, vector: [1, 0, 0, 0] },
        { id: 'x', text: 'half \uDC00 pair', vector: [1, 0, 0, 0] },
      ];
      for (const record of bad) {
        const error = await retriever.upsert([record]).catch((e: unknown) => e);
        expect(error, JSON.stringify(record)).toMatchObject({ code: 'INVALID_ARGUMENT' });
        expect(String((error as Error).message)).toMatch(/NUL|surrogate/);
      }
      expect(await retriever.count()).toBe(corpus.length);
    });
  });
}

filterTestsOn(pgliteServer());
if (databaseUrl) filterTestsOn({ name: 'DATABASE_URL', connectionString: databaseUrl });
