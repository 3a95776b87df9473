import { abortError, RagloomError, type RetryPolicy, withRetries } from '@ragloom/core';
import { type AttemptTimeout, createAttemptTimeout } from './attempt-timeout.js';
import type { OpenAICompatibleSettings } from './openai-compatible-options.js';
import { toRagloomError } from './openai-error.js';

/** What one attempt hands the SDK: its signal (caller's abort or the idle timer) and the per-request options. */
export interface AttemptRequestOptions {
  readonly signal: AbortSignal;
  readonly timeout: number;
  readonly maxRetries: 0;
}

/** An attempt that succeeded, with its idle timer still running (a stream is read under it); dispose it. */
export interface OpenedAttempt<T> {
  readonly value: T;
  readonly timer: AttemptTimeout;
}

/**
 * Sends requests to one OpenAI-compatible endpoint the same way for every adapter: each attempt under an idle
 * timeout, failures mapped by `toRagloomError`, retryable ones retried with backoff (or the server's
 * Retry-After), aborts honoured at once, also during a wait.
 */
export interface OpenAICompatibleTransport {
  readonly baseURL: string;
  readonly timeoutMs: number;
  /** How errors name a request: `POST http://localhost:8000/v1/embeddings (model m)`. */
  describe(path: string): string;
  /** One call whose whole answer arrives within the attempt (a JSON response). */
  call<T>(
    path: string,
    signal: AbortSignal | undefined,
    attempt: (request: AttemptRequestOptions) => PromiseLike<T>,
  ): Promise<T>;
  /**
   * One call whose answer is read after the attempt resolves (a stream): the timer keeps running, `touch()` it
   * per chunk, map read failures with `failure`, and `dispose()` it at the end.
   */
  open<T>(
    path: string,
    signal: AbortSignal | undefined,
    attempt: (request: AttemptRequestOptions) => PromiseLike<T>,
  ): Promise<OpenedAttempt<T>>;
  /** The error for whatever ended an attempt: the caller's abort, the idle timer, or what the SDK threw. */
  failure(error: unknown, path: string, timer: AttemptTimeout, signal: AbortSignal | undefined): RagloomError;
}

export interface TransportContext {
  /** The endpoint, for messages: the client's `baseURL`. */
  readonly baseURL: string;
  /** The call, for ABORTED messages: `embedding`, `generation`. */
  readonly what: string;
}

export function createOpenAICompatibleTransport(
  options: Pick<
    OpenAICompatibleSettings,
    | 'model'
    | 'timeoutMs'
    | 'maxRetries'
    | 'initialRetryDelayMs'
    | 'maxRetryDelayMs'
    | 'maxRetryAfterMs'
    | 'onRetry'
  >,
  context: TransportContext,
): OpenAICompatibleTransport {
  const { timeoutMs } = options;
  const baseURL = context.baseURL.replace(/\/+$/, '');
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries,
    initialDelayMs: options.initialRetryDelayMs,
    maxDelayMs: options.maxRetryDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    onRetry: options.onRetry,
  };
  const describe = (path: string) => `POST ${baseURL}${path} (model ${options.model})`;

  const failure = (error: unknown, path: string, timer: AttemptTimeout, signal: AbortSignal | undefined) => {
    // The caller's abort first. The idle timer aborts the attempt too, so the SDK then throws an abort error:
    // that is a TIMEOUT, decided before `toRagloomError`, whose abort rule (`vendorFailure`) would say ABORTED.
    if (signal?.aborted) return abortError(signal, context.what);
    if (timer.timedOut) {
      return new RagloomError('TIMEOUT', `${describe(path)} sent nothing for ${timeoutMs} ms`, {
        cause: error,
        retryable: true,
        details: { timeoutMs },
      });
    }
    return toRagloomError(error, { request: describe(path), what: context.what }, signal);
  };

  const open = <T>(
    path: string,
    signal: AbortSignal | undefined,
    attempt: (request: AttemptRequestOptions) => PromiseLike<T>,
  ): Promise<OpenedAttempt<T>> =>
    withRetries(
      policy,
      signal,
      async () => {
        const timer = createAttemptTimeout(timeoutMs, signal);
        try {
          const value = await attempt({ signal: timer.signal, timeout: timeoutMs, maxRetries: 0 });
          return { value, timer };
        } catch (error) {
          timer.dispose();
          throw failure(error, path, timer, signal);
        }
      },
      (error) => error,
      context.what,
    );

  return {
    baseURL,
    timeoutMs,
    describe,
    open,
    failure,
    async call(path, signal, attempt) {
      const { value, timer } = await open(path, signal, attempt);
      timer.dispose();
      return value;
    },
  };
}
