import { RagloomError, type RagloomErrorCode } from '../errors/ragloom-error.js';
import { type HeadersInput, parseRetryAfter, readHeader } from '../util/retry.js';

/** What an HTTP error status means for ragloom: the code, whether to retry, and how long the server asked to wait. */
export interface HttpStatusClassification {
  readonly code: RagloomErrorCode;
  readonly retryable: boolean;
  /** From `retry-after-ms` or `Retry-After`; absent when the server sent neither (or nothing parseable). */
  readonly retryAfterMs?: number;
}

export interface HttpStatusOptions {
  /** Response headers: a fetch `Headers`, or a plain object (Node's `IncomingHttpHeaders`, an SDK's record). */
  readonly headers?: HeadersInput;
  /**
   * What a 404 means for this request: `'model'` when the request names a model (embeddings, chat completions,
   * a hub file of a model repository), so the error is MODEL_NOT_FOUND; default NOT_FOUND.
   */
  readonly notFound?: 'model' | 'resource';
}

/** The statuses a retry can fix (as the AI SDK's APICallError): timeout, conflict, rate limit, any 5xx. */
export const isRetryableHttpStatus = (status: number): boolean =>
  status === 408 || status === 409 || status === 429 || (status >= 500 && status <= 599);

function codeFor(status: number, notFound: 'model' | 'resource'): RagloomErrorCode {
  if (status === 401 || status === 403) return 'AUTH_ERROR';
  if (status === 404) return notFound === 'model' ? 'MODEL_NOT_FOUND' : 'NOT_FOUND';
  // The server gave up waiting (408) or a gateway did (504): the same thing to a caller, a timeout.
  if (status === 408 || status === 504) return 'TIMEOUT';
  if (status === 429) return 'RATE_LIMITED';
  if (status >= 400 && status <= 499 && status !== 409) return 'INVALID_ARGUMENT';
  return 'UPSTREAM_ERROR';
}

/**
 * The one map from an HTTP error status to a ragloom error code and retryability, for every adapter that talks
 * HTTP (OpenAI-compatible endpoints, Qdrant, the model downloader):
 *
 * | status | code | retryable |
 * |---|---|---|
 * | 401, 403 | AUTH_ERROR | no |
 * | 404 | NOT_FOUND, or MODEL_NOT_FOUND with `notFound: 'model'` | no |
 * | 408, 504 | TIMEOUT | yes |
 * | 409 | UPSTREAM_ERROR | yes |
 * | 429 | RATE_LIMITED | yes |
 * | other 4xx | INVALID_ARGUMENT | no |
 * | other 5xx | UPSTREAM_ERROR | yes |
 * | anything else (a 3xx that was not followed, a non-HTTP number) | UPSTREAM_ERROR | no |
 *
 * A server's `x-should-retry: true|false` (sent by OpenAI and others) overrides the retryable column. Vendor
 * knowledge stays with the adapter: an exhausted quota sent as 429, a context-length 400.
 */
export function classifyHttpStatus(
  status: number,
  options: HttpStatusOptions = {},
): HttpStatusClassification {
  const code = codeFor(status, options.notFound ?? 'resource');
  const shouldRetry = readHeader(options.headers, 'x-should-retry')?.trim().toLowerCase();
  const retryable =
    shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : isRetryableHttpStatus(status);
  const retryAfterMs = parseRetryAfter(options.headers);
  return retryAfterMs === undefined ? { code, retryable } : { code, retryable, retryAfterMs };
}

const REASONS: Readonly<Record<number, string>> = {
  400: 'bad request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not found',
  405: 'method not allowed',
  408: 'request timeout',
  409: 'conflict',
  413: 'payload too large',
  415: 'unsupported media type',
  422: 'unprocessable content',
  429: 'too many requests',
  500: 'internal server error',
  501: 'not implemented',
  502: 'bad gateway',
  503: 'service unavailable',
  504: 'gateway timeout',
};

const MESSAGE_LIMIT = 300;
const BODY_LIMIT = 2000;

const cut = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit - 3)}...` : text);

/**
 * The server's own words from an error body: `error.message` (OpenAI), `error` (Hugging Face, TEI), `message`,
 * `detail` (FastAPI, vLLM), `status.error` (Qdrant); else the text itself. Whitespace collapsed, at most 300
 * characters; undefined for an empty body.
 */
export function responseErrorMessage(body: unknown): string | undefined {
  let data = body;
  if (typeof body === 'string') {
    const text = body.trim();
    if (text === '') return undefined;
    if (text.startsWith('{')) {
      try {
        data = JSON.parse(text);
      } catch {
        data = text;
      }
    } else {
      data = text;
    }
  }
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string' && value.trim() !== '') return value;
    if (typeof value !== 'object' || value === null) return undefined;
    const v = value as Record<string, unknown>;
    return pick(v.error) ?? pick(v.message) ?? pick(v.detail) ?? pick(v.status);
  };
  const found = pick(data) ?? (typeof data === 'object' && data !== null ? JSON.stringify(data) : undefined);
  return found === undefined ? undefined : cut(found.replace(/\s+/g, ' ').trim(), MESSAGE_LIMIT);
}

export interface HttpErrorInput extends HttpStatusOptions {
  readonly status: number;
  /** What was asked, for the message: `POST https://api.example.com/v1/embeddings (model m)`. */
  readonly request: string;
  /** The response body (text or parsed JSON), if read; its message goes into the error, the text into `details.body`. */
  readonly body?: unknown;
  /** Replaces the mapped code (a downloader reports DOWNLOAD_FAILED) but keeps the retryable rule. */
  readonly code?: RagloomErrorCode;
  /** A hint appended to the message (`set HF_TOKEN for gated repositories`). */
  readonly hint?: string;
  /** More machine-readable context, merged into `details`. */
  readonly details?: Readonly<Record<string, unknown>>;
  readonly cause?: unknown;
}

/**
 * The RagloomError for an HTTP error response, classified by `classifyHttpStatus`:
 * `POST …/embeddings failed: HTTP 429 (too many requests): Rate limit reached`, with
 * `details: { status, body (trimmed to 2,000 characters), retryAfterMs, ...details }`.
 */
export function errorFromHttpStatus(input: HttpErrorInput): RagloomError {
  const { status, request, body } = input;
  const classified = classifyHttpStatus(status, input);
  const reason = REASONS[status];
  const serverMessage = responseErrorMessage(body);
  const bodyText =
    body === undefined
      ? undefined
      : typeof body === 'string'
        ? body.trim()
        : (JSON.stringify(body) ?? undefined);
  const message =
    `${request} failed: HTTP ${status}${reason ? ` (${reason})` : ''}` +
    `${serverMessage ? `: ${serverMessage}` : ''}${input.hint ? ` (${input.hint})` : ''}`;
  return new RagloomError(input.code ?? classified.code, message, {
    cause: input.cause,
    retryable: classified.retryable,
    details: {
      ...input.details,
      status,
      ...(bodyText ? { body: cut(bodyText, BODY_LIMIT) } : {}),
      ...(classified.retryAfterMs !== undefined ? { retryAfterMs: classified.retryAfterMs } : {}),
    },
  });
}
