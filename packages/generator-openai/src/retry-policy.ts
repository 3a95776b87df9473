import { abortError, isRagloomError, type RagloomError } from '@ragloom/core';

export interface RetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number;
  /** How long the generator waits before retrying, in ms. */
  readonly delayMs: number;
  /** Whether the delay came from the server (`Retry-After` / `retry-after-ms`) rather than backoff. */
  readonly fromServer: boolean;
  readonly error: RagloomError;
}

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Source of jitter in [0, 1); injectable so tests can pin delays. */
  readonly random?: () => number;
}

/**
 * Reads `retry-after-ms` (milliseconds, non-standard but sent by OpenAI) or `Retry-After` (seconds or an
 * HTTP date). Returns undefined when neither is present or parseable.
 */
export function parseRetryAfter(
  headers: { get(name: string): string | null } | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff with up to 25% jitter below the nominal delay (the SDK's schedule). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const nominal = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  const jitter = 1 - (policy.random ?? Math.random)() * 0.25;
  return Math.round(nominal * jitter);
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, 'generation'));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(abortError(signal, 'generation'));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. Errors must already
 * be RagloomErrors (with `retryable` and optional `details.retryAfterMs`). The wait honours the server's
 * Retry-After up to `maxRetryAfterMs`; a longer demand fails at once, so callers can schedule the retry.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<T>,
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (error) {
      if (!isRagloomError(error) || !error.retryable || retry >= policy.maxRetries) throw error;
      const retryAfter = error.details.retryAfterMs;
      const fromServer = typeof retryAfter === 'number';
      if (fromServer && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = fromServer ? retryAfter : backoffDelay(policy, retry + 1);
      policy.onRetry?.({ attempt: retry + 1, delayMs, fromServer, error });
      await sleep(delayMs, signal);
    }
  }
}
