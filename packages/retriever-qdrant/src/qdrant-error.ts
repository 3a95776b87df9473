import { isAbortError, isRagloomError, RagloomError } from '@ragloom/core';
import { classifyHttpStatus, findSocketErrorCode, type HeadersInput } from '@ragloom/core/adapter';

/** What was being done when Qdrant failed: named in the error message and details. */
export interface QdrantErrorContext {
  /** e.g. `upsert`, `search`, `create collection`. */
  readonly operation: string;
  readonly collection?: string;
  /** The server address, for connection errors. */
  readonly url?: string;
}

/** Qdrant answers errors as `{ status: { error: "..." }, time }`; older servers and proxies send text. */
function serverMessage(data: unknown, fallback: string): string {
  if (typeof data === 'string' && data.trim().length > 0) return data.trim().slice(0, 500);
  if (typeof data === 'object' && data !== null) {
    const status = (data as { status?: unknown }).status;
    if (typeof status === 'object' && status !== null) {
      const message = (status as { error?: unknown }).error;
      if (typeof message === 'string') return message;
    }
    if (typeof status === 'string') return status;
  }
  return fallback;
}

function where(context: QdrantErrorContext): string {
  return context.collection === undefined
    ? `Qdrant ${context.operation}`
    : `Qdrant ${context.operation} on collection "${context.collection}"`;
}

/**
 * Maps anything @qdrant/js-client-rest (or the network under it) throws onto ragloom's error codes,
 * keeping Qdrant's own message: HTTP 401/403 → AUTH_ERROR, 404 → NOT_FOUND, other 4xx →
 * INVALID_ARGUMENT, 408/504 and client timeouts → TIMEOUT, 429 → RATE_LIMITED, 5xx →
 * UPSTREAM_ERROR, unreachable server → CONNECTION_ERROR, aborts → ABORTED. The vendor error is the
 * `cause`; `details` carry the HTTP status, operation and collection.
 */
export function mapQdrantError(error: unknown, context: QdrantErrorContext): RagloomError {
  if (isRagloomError(error)) return error;
  const details: Record<string, unknown> = { operation: context.operation };
  if (context.collection !== undefined) details.collection = context.collection;
  if (isAbortError(error)) {
    return new RagloomError('ABORTED', `${where(context)} was aborted`, { cause: error, details });
  }
  if (typeof error !== 'object' || error === null) {
    return new RagloomError('UPSTREAM_ERROR', `${where(context)} failed: ${String(error)}`, {
      cause: error,
      details,
    });
  }
  const name = (error as { name?: unknown }).name;
  const message = String((error as { message?: unknown }).message ?? '');

  // The client's own error classes (checked by name: never instanceof across packages).
  if (name === 'QdrantClientTimeoutError') {
    return new RagloomError('TIMEOUT', `${where(context)} timed out: ${message}`, {
      cause: error,
      details,
      retryable: true,
    });
  }
  if (name === 'QdrantClientResourceExhaustedError') {
    const retryAfter = (error as { retry_after?: unknown }).retry_after;
    return new RagloomError('RATE_LIMITED', `${where(context)} was rate limited by Qdrant: ${message}`, {
      cause: error,
      details: { ...details, status: 429, retryAfterSeconds: retryAfter },
      retryable: true,
    });
  }
  if (name === 'QdrantClientConfigError') {
    return new RagloomError('INVALID_CONFIG', `Qdrant client configuration: ${message}`, {
      cause: error,
      details,
    });
  }

  // HTTP errors: the client's ApiError carries `status`, `statusText` and the parsed body as `data`.
  const status = (error as { status?: unknown }).status;
  if (typeof status === 'number' && status >= 300) {
    const data = (error as { data?: unknown }).data;
    const statusText = (error as { statusText?: unknown }).statusText;
    const text = serverMessage(data, typeof statusText === 'string' && statusText ? statusText : message);
    // Core's one status map (409 and 5xx retryable, x-should-retry honoured), as every remote adapter.
    const { code, retryable } = classifyHttpStatus(status, {
      headers: (error as { headers?: HeadersInput }).headers,
    });
    return new RagloomError(code, `${where(context)} failed (HTTP ${status}): ${text}`, {
      cause: error,
      details: { ...details, status, qdrantMessage: text },
      retryable,
    });
  }
  if (name === 'QdrantClientUnexpectedResponseError') {
    return new RagloomError('UPSTREAM_ERROR', `${where(context)} got an unexpected response: ${message}`, {
      cause: error,
      details,
    });
  }

  // Node's fetch (undici) throws `TypeError('fetch failed')` with the socket error as `cause`.
  const socketCode = findSocketErrorCode(error);
  if (socketCode !== undefined) {
    const target = context.url ? ` at ${context.url}` : '';
    return new RagloomError(
      'CONNECTION_ERROR',
      `${where(context)} could not reach Qdrant${target} (${socketCode}); is the server running and the URL right?`,
      { cause: error, details: { ...details, socketCode, url: context.url }, retryable: true },
    );
  }
  return new RagloomError('UPSTREAM_ERROR', `${where(context)} failed: ${message || String(name)}`, {
    cause: error,
    details,
  });
}
