import { RagloomError, throwIfAborted } from '@ragloom/core';
import { raceAbort } from '@ragloom/core/adapter';
import pg from 'pg';
import { mapPgError } from './pg-error.js';
import type { PgConnectionOptions } from './pgvector-options.js';

/** What a query resolves to: the part of `pg`'s QueryResult this package reads. */
export interface PgQueryResultLike {
  // biome-ignore lint/suspicious/noExplicitAny: rows are whatever the database returns; each caller reads named columns.
  readonly rows: any[];
  readonly rowCount: number | null;
}

/** Anything that runs a parameterized statement: a `pg.Pool`, a `pg.Client`, a pooled client. */
export interface PgQueryable {
  query(text: string, values?: unknown[]): Promise<PgQueryResultLike>;
}

/** A `pg.Pool` (or a compatible pool): statements on any connection, `connect()` for a transaction. */
export interface PgPoolLike extends PgQueryable {
  connect(): Promise<PgQueryable & { release(error?: Error | boolean): void }>;
}

/**
 * Settings for one transaction: names of the package's own choosing and values it computed and checked
 * (integers, on/off, enum members) — never user input, since they are written into the statement text.
 */
export type LocalSettings = Readonly<Record<string, string | number>>;

const SETTING_NAME = /^[a-z_]+(\.[a-z_]+)?$/;
const SETTING_VALUE = /^[A-Za-z0-9_]+$/;

/** `BEGIN; SET LOCAL a = 1; …`: one simple-protocol message, so the settings cost no round trip of their own. */
function beginStatement(settings: LocalSettings | undefined): string {
  let sql = 'BEGIN';
  for (const [name, value] of Object.entries(settings ?? {})) {
    const text = String(value);
    if (!SETTING_NAME.test(name) || !SETTING_VALUE.test(text)) {
      throw new RagloomError('INVALID_ARGUMENT', `not a setting this package sends: ${name} = ${text}`);
    }
    sql += `; SET LOCAL ${name} = ${text}`;
  }
  return sql;
}

/** Runs statements and transactions; maps every failure to a RagloomError naming `operation`. */
export interface SqlExecutor {
  query(
    operation: string,
    text: string,
    values?: unknown[],
    signal?: AbortSignal,
  ): Promise<PgQueryResultLike>;
  /**
   * BEGIN … COMMIT on one connection; ROLLBACK when `fn` throws or `signal` fires before COMMIT.
   * `setLocal` settings are sent with the BEGIN, in the same round trip (`SET LOCAL name = value`).
   */
  transaction<T>(
    operation: string,
    fn: (session: PgQueryable) => Promise<T>,
    signal?: AbortSignal,
    setLocal?: LocalSettings,
  ): Promise<T>;
  /** Ends the pool when this package created it. */
  close(): Promise<void>;
  /** Where the server is, for connection error messages (no password). */
  readonly where: string | undefined;
}

// One turn-taking chain per client object, shared by every retriever handed the same client: two
// retrievers on one connection must not interleave their transactions. A WeakMap keyed by the client
// is the only way to find "the other users" of an object we do not own; it holds no client alive.
const clientQueues = new WeakMap<object, { tail: Promise<unknown> }>();

function turnFor(client: object): { tail: Promise<unknown> } {
  let queue = clientQueues.get(client);
  if (!queue) {
    queue = { tail: Promise.resolve() };
    clientQueues.set(client, queue);
  }
  return queue;
}

/** `user@host:port/db` of a connection string, never its password. */
export function describeConnectionString(connectionString: string): string | undefined {
  try {
    const url = new URL(connectionString);
    const user = url.username ? `${decodeURIComponent(url.username)}@` : '';
    return `${user}${url.host}${url.pathname}`;
  } catch {
    return undefined;
  }
}

async function runTransaction<T>(
  session: PgQueryable,
  fn: (session: PgQueryable) => Promise<T>,
  signal: AbortSignal | undefined,
  operation: string,
  begin: string,
): Promise<{ value: T } | { error: unknown; broken: boolean }> {
  try {
    await session.query(begin);
  } catch (error) {
    // A failed SET LOCAL leaves the transaction open and aborted: roll it back, keep the connection.
    if (begin === 'BEGIN') return { error, broken: true };
    try {
      await session.query('ROLLBACK');
      return { error, broken: false };
    } catch {
      return { error, broken: true };
    }
  }
  try {
    const guarded: PgQueryable = {
      query: (text, values) => {
        throwIfAborted(signal, operation);
        return session.query(text, values);
      },
    };
    const value = await fn(guarded);
    throwIfAborted(signal, operation);
    await session.query('COMMIT');
    return { value };
  } catch (error) {
    try {
      await session.query('ROLLBACK');
      return { error, broken: false };
    } catch {
      return { error, broken: true }; // the connection is gone; the server rolls back on its own
    }
  }
}

export function createSqlExecutor(options: PgConnectionOptions, context: { table: string }): SqlExecutor {
  const given = [options.connectionString, options.pool, options.client].filter((x) => x !== undefined);
  if (given.length !== 1) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `give exactly one of connectionString, pool or client (got ${given.length === 0 ? 'none' : 'several'})`,
    );
  }
  const where =
    options.connectionString !== undefined ? describeConnectionString(options.connectionString) : undefined;
  const fail = (error: unknown, operation: string) =>
    mapPgError(error, { operation, table: context.table, where });

  if (options.client) {
    const client = options.client;
    const queue = turnFor(client);
    const inTurn = <T>(work: () => Promise<T>): Promise<T> => {
      const run = queue.tail.then(work, work);
      queue.tail = run.catch(() => {});
      return run;
    };
    return {
      where,
      query: (operation, text, values, signal) => {
        throwIfAborted(signal, operation);
        return raceAbort(
          inTurn(() => client.query(text, values)),
          signal,
          operation,
        ).catch((error: unknown) => {
          throw fail(error, operation);
        });
      },
      async transaction(operation, fn, signal, setLocal) {
        throwIfAborted(signal, operation);
        const begin = beginStatement(setLocal);
        const outcome = await inTurn(() => runTransaction(client, fn, signal, operation, begin));
        if ('value' in outcome) return outcome.value;
        throw fail(outcome.error, operation);
      },
      async close() {},
    };
  }

  let pool: PgPoolLike;
  let owned: pg.Pool | undefined;
  if (options.pool) pool = options.pool;
  else {
    try {
      owned = new pg.Pool({ ...options.poolOptions, connectionString: options.connectionString });
    } catch (error) {
      throw fail(error, 'connect');
    }
    // An idle connection the server drops (restart, idle timeout) is reported here; without a listener
    // Node would crash the process. The pool replaces it on the next query.
    owned.on('error', () => {});
    pool = owned;
  }
  return {
    where,
    query: (operation, text, values, signal) => {
      throwIfAborted(signal, operation);
      return raceAbort(pool.query(text, values), signal, operation).catch((error: unknown) => {
        throw fail(error, operation);
      });
    },
    async transaction(operation, fn, signal, setLocal) {
      throwIfAborted(signal, operation);
      const begin = beginStatement(setLocal);
      let session: Awaited<ReturnType<PgPoolLike['connect']>>;
      try {
        session = await pool.connect(); // not raced: a connection handed over late would never go back
      } catch (error) {
        throw fail(error, operation);
      }
      const outcome = await runTransaction(session, fn, signal, operation, begin);
      // A connection whose ROLLBACK failed is broken: the pool must drop it, not hand it out again.
      session.release('error' in outcome && outcome.broken ? true : undefined);
      if ('value' in outcome) return outcome.value;
      throw fail(outcome.error, operation);
    },
    async close() {
      await owned?.end();
    },
  };
}
