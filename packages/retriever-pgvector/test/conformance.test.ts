import { describeRetrieverConformance } from '@ragloom/conformance';
import { afterAll } from 'vitest';
import {
  createPgFullTextRetriever,
  createPgvectorRetriever,
  type PgFullTextRetriever,
  type PgvectorRetriever,
} from '../src/index.js';
import { databaseUrl, pgliteServer, type TestServer, testPool } from './support/connections.js';

// The Retriever conformance suite, unchanged, against a real Postgres with pgvector: the PGlite server
// the test run starts (always), and the server in DATABASE_URL (when set). Every retriever gets the
// same pool, as an application's retrievers would; reopen() is a new retriever on the same table, and
// compact() is VACUUM, which pgvector's HNSW index needs after deletes. No test of the suite is skipped
// (only those of the other query mode: text matching for the vector retriever, vectors for full text).
function conformanceOn(server: TestServer) {
  const pool = testPool(server.connectionString);
  afterAll(() => pool.end());

  describeRetrieverConformance({
    name: `pgvector on ${server.name}`,
    query: 'vector',
    create: ({ manifest, id }) => createPgvectorRetriever({ pool, table: id, ...manifest! }),
    destroy: async (retriever) => {
      await (retriever as PgvectorRetriever).dropTable();
      await retriever.close?.();
    },
    reopen: async (retriever, { manifest, id }) => {
      await retriever.save?.();
      return createPgvectorRetriever({ pool, table: id, ...manifest!, createTable: false });
    },
    compact: (retriever) => (retriever as PgvectorRetriever).compact(),
  });

  describeRetrieverConformance({
    name: `Postgres full-text on ${server.name}`,
    query: 'text',
    create: ({ id }) => createPgFullTextRetriever({ pool, table: id }),
    destroy: async (retriever) => {
      await (retriever as PgFullTextRetriever).dropTable();
      await retriever.close?.();
    },
    reopen: async (retriever, { id }) => {
      await retriever.save?.();
      return createPgFullTextRetriever({ pool, table: id, createTable: false });
    },
    compact: (retriever) => (retriever as PgFullTextRetriever).compact(),
  });
}

conformanceOn(pgliteServer());
// Without DATABASE_URL the global setup says so once; no placeholder test is registered to be skipped.
if (databaseUrl) conformanceOn({ name: 'DATABASE_URL', connectionString: databaseUrl });
