import { conformanceCorpus } from '@ragloom/conformance';
import { rejectionOf } from '@ragloom/test-utils';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgvectorRetriever } from '../src/index.js';
import { startPgliteSocket } from './support/pglite-server.js';

// One pg.Client (one connection) shared by two retrievers, on @electric-sql/pglite-socket in its
// one-connection mode (its own PGlite: the shared test server is a separate process). A connection runs
// one transaction at a time, so the retrievers take turns on it; here that is proven by running their
// work concurrently and comparing with the same work one call at a time.
let server: Awaited<ReturnType<typeof startPgliteSocket>>;
let client: pg.Client;

beforeAll(async () => {
  server = await startPgliteSocket();
  client = new pg.Client({ connectionString: server.connectionString });
  client.on('error', () => {});
  await client.connect();
}, 120_000);

afterAll(async () => {
  await client?.end();
  await server?.close();
});

const corpus = conformanceCorpus().map((r) => ({
  id: r.id,
  text: r.text,
  metadata: r.metadata,
  vector: r.vector,
}));

describe('a single pg.Client through pglite-socket', () => {
  it('two retrievers on one connection: concurrent upserts, searches and an aborted upsert do not interleave', async () => {
    const a = createPgvectorRetriever({
      client,
      table: 'client_a',
      encoderModelId: 'm',
      dimension: 8,
      batchSize: 5,
    });
    const b = createPgvectorRetriever({
      client,
      table: 'client_b',
      encoderModelId: 'm',
      dimension: 8,
      batchSize: 5,
    });
    const controller = new AbortController();
    const results = await Promise.allSettled([
      a.upsert(corpus),
      b.upsert(corpus, {
        signal: controller.signal,
        onProgress: (e) => {
          if (e.completed >= 10) controller.abort();
        },
      }),
      a.search({ vector: corpus[0]!.vector, k: 5 }),
      b.count(),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(await a.count()).toBe(corpus.length);
    expect(await b.count(), 'the aborted upsert was rolled back, not committed by the other retriever').toBe(
      0,
    );
    const queries = corpus
      .slice(0, 12)
      .map((r, i) => ({ vector: r.vector, k: 3 + (i % 4), filter: i % 2 ? { published: true } : {} }));
    const sequential = [];
    for (const q of queries) sequential.push(await a.search(q));
    expect(await Promise.all(queries.map((q) => a.search(q)))).toEqual(sequential);
    const error = await rejectionOf(a.upsert([{ id: 'x', text: 'x', vector: [1] }]));
    expect(error.code).toBe('DIMENSION_MISMATCH');
    expect(await a.count(), 'the connection still works after an error').toBe(corpus.length);
    await a.dropTable();
    await b.dropTable();
  });
});
