import type { TestProject } from 'vitest/node';
import { type PgliteServer, startPgliteServer } from './pglite-server.js';

// One PGlite (Postgres 18 + pgvector 0.8, WebAssembly) for the whole test run: creating one takes
// seconds, and every test file uses its own tables in it.
let server: PgliteServer | undefined;

export async function setup(project: TestProject): Promise<void> {
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
