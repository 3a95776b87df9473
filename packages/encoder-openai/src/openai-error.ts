import {
  abortError,
  isRagloomError,
  parseRetryAfter,
  RagloomError,
  type RagloomErrorCode,
} from '@ragloom/core';
import { APIConnectionTimeoutError, APIUserAbortError } from 'openai';

interface SdkErrorShape {
  readonly name?: string;
  readonly status?: number;
  readonly message?: string;
  readonly code?: string | null;
  readonly type?: string;
  readonly param?: string | null;
  readonly error?: { readonly message?: unknown } | undefined;
  readonly headers?: { get(name: string): string | null } | undefined;
}

const CONTEXT_LENGTH =
  /maximum (context|input) length|too many tokens|tokens?.{0,40}(exceed|too long)|input.{0,40}too long/i;

/**
 * Maps an `openai` SDK error (or a fetch failure) onto ragloom's codes. The message names the endpoint and keeps
 * the server's own words; `details` carries status, OpenAI's error code/type and the server's Retry-After.
 */
export function toRagloomError(error: unknown, where: string, signal?: AbortSignal): RagloomError {
  if (isRagloomError(error)) return error;
  const e = (typeof error === 'object' && error !== null ? error : {}) as SdkErrorShape;
  // The SDK's classes do not set `name`; a client from another copy of the SDK fails instanceof, so the
  // constructor name is checked as well.
  const kind = (error as { constructor?: { name?: string } } | undefined)?.constructor?.name;
  if (
    signal?.aborted ||
    error instanceof APIUserAbortError ||
    kind === 'APIUserAbortError' ||
    e.name === 'AbortError'
  ) {
    return abortError(signal, 'embedding');
  }
  if (error instanceof APIConnectionTimeoutError || kind === 'APIConnectionTimeoutError') {
    return new RagloomError('TIMEOUT', `${where} did not answer in time`, { cause: error, retryable: true });
  }
  const status = typeof e.status === 'number' ? e.status : undefined;
  if (status === undefined) {
    return new RagloomError('CONNECTION_ERROR', `cannot reach ${where}: ${e.message ?? String(error)}`, {
      cause: error,
      retryable: true,
    });
  }
  const serverMessage =
    typeof e.error?.message === 'string' ? e.error.message : (e.message ?? `HTTP ${status}`);
  const retryAfterMs = parseRetryAfter(e.headers);
  const details: Record<string, unknown> = {
    status,
    ...(e.code ? { code: e.code } : {}),
    ...(e.type ? { type: e.type } : {}),
    ...(e.param ? { param: e.param } : {}),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
  };
  const make = (code: RagloomErrorCode, message: string, retryable: boolean) =>
    new RagloomError(code, message, { cause: error, details, retryable });
  if (status === 401 || status === 403) {
    return make('AUTH_ERROR', `${where} refused the credentials (HTTP ${status}): ${serverMessage}`, false);
  }
  if (status === 429) {
    // Out of quota is not a rate limit that passes with time.
    const quota = e.code === 'insufficient_quota';
    return make('RATE_LIMITED', `${where} rate-limited the request (HTTP 429): ${serverMessage}`, !quota);
  }
  if (status === 400 || status === 404 || status === 413 || status === 422) {
    if (CONTEXT_LENGTH.test(serverMessage)) {
      return make(
        'CONTEXT_LENGTH_EXCEEDED',
        `${where}: an input is too long (HTTP ${status}): ${serverMessage}`,
        false,
      );
    }
    return make(
      'INVALID_ARGUMENT',
      `${where} rejected the request (HTTP ${status}): ${serverMessage}`,
      false,
    );
  }
  return make(
    'UPSTREAM_ERROR',
    `${where} failed (HTTP ${status}): ${serverMessage}`,
    status === 408 || status === 409 || status >= 500,
  );
}
