import { isAbortError, isRagloomError, RagloomError, type RagloomErrorCode } from '@ragloom/core';
import { findSocketErrorCode } from '@ragloom/core/adapter';

/** What was being done when Postgres failed: named in the message and in `details`. */
export interface PgErrorContext {
  readonly operation: string;
  readonly table?: string;
  /** `user@host:port/db`, for connection errors (never the password). */
  readonly where?: string;
}

const SQLSTATE = /^[0-9A-Z]{5}$/;

/**
 * The ragloom code and retryability of a Postgres SQLSTATE (Appendix A of the Postgres manual). Class
 * 08 and operator shutdowns mean the server went away (retry on a new connection); 40 (serialization,
 * deadlock) and 53 (out of resources) are worth retrying; 28 and 42501 are permissions; 22/23 reject
 * the data; 0A is a missing feature (an old server or extension); the rest is the server's error.
 */
export function codeForSqlState(sqlstate: string): { code: RagloomErrorCode; retryable: boolean } {
  const cls = sqlstate.slice(0, 2);
  if (cls === '08' || sqlstate === '57P01' || sqlstate === '57P02' || sqlstate === '57P03')
    return { code: 'CONNECTION_ERROR', retryable: true };
  if (cls === '28' || sqlstate === '42501') return { code: 'AUTH_ERROR', retryable: false };
  if (sqlstate === '57014') return { code: 'TIMEOUT', retryable: true }; // statement_timeout, cancel
  if (cls === '40' || cls === '53' || sqlstate === '55P03')
    return { code: 'UPSTREAM_ERROR', retryable: true };
  if (cls === '22' || cls === '23') return { code: 'INVALID_ARGUMENT', retryable: false };
  if (cls === '0A' || sqlstate === '58P01') return { code: 'UNSUPPORTED', retryable: false };
  if (sqlstate === '42P01' || sqlstate === '3F000') return { code: 'NOT_FOUND', retryable: false };
  return { code: 'UPSTREAM_ERROR', retryable: false };
}

function prefix(context: PgErrorContext): string {
  return context.table === undefined
    ? `Postgres ${context.operation}`
    : `Postgres ${context.operation} on table ${context.table}`;
}

/**
 * Maps what `pg` throws onto ragloom's error codes, keeping Postgres's message: a server error carries
 * its SQLSTATE in `details.sqlstate` (and the constraint, column, detail and hint Postgres named); a
 * connection that cannot be made or was lost is CONNECTION_ERROR with the server address. The pg error
 * is the `cause`.
 */
export function mapPgError(error: unknown, context: PgErrorContext): RagloomError {
  if (isRagloomError(error)) return error;
  const details: Record<string, unknown> = { operation: context.operation };
  if (context.table !== undefined) details.table = context.table;
  if (isAbortError(error)) {
    return new RagloomError('ABORTED', `${prefix(context)} was aborted`, { cause: error, details });
  }
  const message =
    typeof error === 'object' && error !== null
      ? String((error as { message?: unknown }).message ?? '')
      : String(error);
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  if (typeof code === 'string' && SQLSTATE.test(code)) {
    const e = error as Record<string, unknown>;
    for (const key of ['severity', 'detail', 'hint', 'constraint', 'column', 'schema', 'routine'] as const) {
      if (typeof e[key] === 'string') details[key === 'schema' ? 'schemaName' : key] = e[key];
    }
    if (typeof e.table === 'string') details.pgTable = e.table;
    details.sqlstate = code;
    const mapped = codeForSqlState(code);
    const hint = code === '58P01' || code === '42704' ? hintFor(message) : '';
    return new RagloomError(mapped.code, `${prefix(context)} failed (SQLSTATE ${code}): ${message}${hint}`, {
      cause: error,
      details,
      retryable: mapped.retryable,
    });
  }
  const socket = findSocketErrorCode(error);
  if (socket !== undefined || /Connection terminated|connection timeout|timeout expired/i.test(message)) {
    const at = context.where ? ` at ${context.where}` : '';
    if (socket) details.socketCode = socket;
    if (context.where) details.where = context.where;
    return new RagloomError(
      'CONNECTION_ERROR',
      `${prefix(context)} could not reach Postgres${at} (${socket ?? message}); is the server running and the connection string right?`,
      { cause: error, details, retryable: true },
    );
  }
  return new RagloomError('UPSTREAM_ERROR', `${prefix(context)} failed: ${message}`, {
    cause: error,
    details,
  });
}

function hintFor(message: string): string {
  return /extension "vector"|vector\.control|type "vector"|type "halfvec"/.test(message)
    ? ' (the pgvector extension is not installed on this server: install pgvector, e.g. the pgvector/pgvector Docker image)'
    : '';
}
