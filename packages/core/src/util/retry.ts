import { isRagloomError, type RagloomError } from '../errors/ragloom-error.js';
import { abortError } from './abort.js';

export interface RetryEvent {
  /** 1 for the first retry. */
  readonly attempt: number;
  /** How long the caller waits before retrying, in ms. */
  readonly delayMs: number;
  /** Whether the delay came from the server (`Retry-After` / `retry-after-ms`) rather than backoff. */
  readonly fromServer: boolean;
  readonly error: RagloomError;
}

export interface RetryPolicy {
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  /** A server demanding a longer wait fails at once, so the caller can schedule the work instead. */
  readonly maxRetryAfterMs: number;
  readonly onRetry?: ((event: RetryEvent) => void) | undefined;
  /** Source of jitter in [0, 1); injectable so tests can pin delays. */
  readonly random?: () => number;
}

/**
 * Response headers as the different clients hand them over: a fetch `Headers` (anything with `get`), or a plain
 * object such as Node's `IncomingHttpHeaders` or an SDK's header record (names matched case-insensitively).
 */
export type HeadersInput =
  | { get(name: string): string | null }
  | Readonly<Record<string, string | readonly string[] | number | undefined>>;

/** One header's value (the first, when a record holds several), or undefined. */
export function readHeader(headers: HeadersInput | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  if (typeof headers.get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const record = headers as Readonly<Record<string, string | readonly string[] | number | undefined>>;
  const lower = name.toLowerCase();
  const key = Object.keys(record).find((k) => k.toLowerCase() === lower);
  const value = key === undefined ? undefined : record[key];
  if (value === undefined) return undefined;
  return typeof value === 'object' ? value[0] : String(value);
}

/**
 * Reads `retry-after-ms` (milliseconds; sent by OpenAI and Azure) or `Retry-After` (seconds or an HTTP
 * date). Undefined when neither is present or parseable.
 */
export function parseRetryAfter(
  headers: HeadersInput | undefined,
  now: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = readHeader(headers, 'retry-after-ms');
  if (ms !== undefined && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = readHeader(headers, 'retry-after');
  if (after === undefined || after.trim() === '') return undefined;
  const seconds = Number(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Exponential backoff (retry 1, 2, 3 … → initial × 1, 2, 4 …, capped) with up to 25% jitter below nominal. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const nominal = Math.min(policy.initialDelayMs * 2 ** (retry - 1), policy.maxDelayMs);
  return Math.round(nominal * (1 - (policy.random ?? Math.random)() * 0.25));
}

/** Waits `ms`, rejecting with `ABORTED` as soon as the signal fires. */
export function abortableSleep(
  ms: number,
  signal: AbortSignal | undefined,
  what = 'operation',
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal, what));
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    function onAbort() {
      clearTimeout(timer);
      reject(abortError(signal, what));
    }
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds, fails with an error that is not a retryable RagloomError, or retries
 * run out. `toError` maps vendor errors first (default: rethrow as is). The server's Retry-After, carried in
 * `details.retryAfterMs`, replaces the backoff up to `maxRetryAfterMs`.
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  attempt: (attemptNumber: number) => Promise<T>,
  toError: (error: unknown) => unknown = (e) => e,
  what = 'operation',
): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt(retry);
    } catch (caught) {
      const error = toError(caught);
      if (!isRagloomError(error) || !error.retryable || retry >= policy.maxRetries) throw error;
      const retryAfter = error.details.retryAfterMs;
      const fromServer = typeof retryAfter === 'number';
      if (fromServer && retryAfter > policy.maxRetryAfterMs) throw error;
      const delayMs = fromServer ? retryAfter : backoffDelay(policy, retry + 1);
      policy.onRetry?.({ attempt: retry + 1, delayMs, fromServer, error });
      await abortableSleep(delayMs, signal, what);
    }
  }
}
