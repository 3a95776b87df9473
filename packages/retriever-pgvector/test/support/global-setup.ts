import type { TestProject } from 'vitest/node';
import { type PgliteServer, startPgliteServer } from './pglite-server.js';

// One PGlite (Postgres 18 + pgvector 0.8, WebAssembly) for the whole test run: creating one takes
// seconds, and every test file uses its own tables in it.
let server: PgliteServer | undefined;

const DATABASE_URL_NOT_SET =
  'DATABASE_URL is not set: the tests run on PGlite only. Start Postgres with pgvector (README) and set DATABASE_URL to run them against that server too.';

export async function setup(project: TestProject): Promise<void> {
  if (!process.env.DATABASE_URL) console.info(DATABASE_URL_NOT_SET);
  server = await startPgliteServer();
  project.provide('pgliteUrl', server.connectionString);
}

export async function teardown(): Promise<void> {
  await server?.close();
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** The PGlite server every test file connects to (see pglite-server.ts). */
    pgliteUrl: string;
  }
}
