import pg from 'pg';
import { inject } from 'vitest';

/** The servers a test file runs against: the PGlite server always, and DATABASE_URL when it is set. */
export interface TestServer {
  readonly name: string;
  readonly connectionString: string;
}

export function pgliteServer(): TestServer {
  return { name: 'PGlite (Postgres 18 + pgvector 0.8, WebAssembly)', connectionString: inject('pgliteUrl') };
}

export const databaseUrl = process.env.DATABASE_URL;

/** A pool for tests; errors of idle connections are the test's to see, not the process's to crash on. */
export function testPool(connectionString: string, max = 4): pg.Pool {
  const pool = new pg.Pool({ connectionString, max });
  pool.on('error', () => {});
  return pool;
}

let sequence = 0;
/** A table name unique to this run and call. */
export function uniqueTable(prefix: string): string {
  return `${prefix}_${process.pid.toString(36)}_${Date.now().toString(36)}_${(sequence++).toString(36)}`;
}
