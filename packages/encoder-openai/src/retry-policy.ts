import { abortError, type RagloomError } from '@ragloom/core';
import type { RetryEvent } from './openai-encoder-options.js';

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Jitter source in [0, 1); injectable so tests can pin delays. */
  readonly random?: () => number;
}

/** Exponential backoff with "full jitter" in the upper half: nominal × [0.5, 1). */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const nominal = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return Math.round(nominal * (0.5 + (policy.random ?? Math.random)() * 0.5));
}

const sleep = (ms: number, signal: AbortSignal | undefined) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, 'embedding'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal, 'embedding'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or retries run out. A server's
 * Retry-After (in `details.retryAfterMs`) replaces the backoff; one longer than `maxRetryAfterMs` fails at once,
 * so the caller can schedule the work instead of holding a request open for minutes.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  toError: (error: unknown) => RagloomError,
): Promise<T> {
  for (let retry = 1; ; retry++) {
    let error: RagloomError;
    try {
      return await attempt();
    } catch (caught) {
      error = toError(caught);
    }
    if (!error.retryable || retry > policy.maxRetries) throw error;
    const serverDelay = error.details.retryAfterMs;
    const fromServer = typeof serverDelay === 'number';
    if (fromServer && serverDelay > policy.maxRetryAfterMs) throw error;
    const delayMs = fromServer ? serverDelay : backoffDelay(policy, retry);
    policy.onRetry?.({ attempt: retry, delayMs, fromServer, error });
    await sleep(delayMs, signal);
  }
}
