import { isRagloomError, parseRetryAfter, RagloomError, type RagloomErrorCode } from '@ragloom/core';

export interface ErrorContext {
  /** Where the request went, for messages. */
  readonly endpoint: string;
  readonly model: string;
}

interface HeadersLike {
  get(name: string): string | null;
}

/** The fields of an `openai` APIError this mapping reads (checked structurally: the user may bring their own SDK copy). */
interface ApiErrorShape {
  readonly status?: number;
  readonly headers?: HeadersLike;
  readonly error?: { readonly message?: unknown; readonly code?: unknown; readonly type?: unknown } | null;
  readonly message: string;
}

const errorName = (error: object): string =>
  (error as { constructor?: { name?: string } }).constructor?.name ?? '';

function bodyMessage(error: ApiErrorShape): string {
  const message = error.error?.message;
  if (typeof message === 'string' && message) return message;
  return error.message;
}

const isContextLengthError = (code: unknown, message: string) =>
  code === 'context_length_exceeded' ||
  /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|exceeds? the (model'?s? )?(maximum|max)/i.test(
    message,
  );

/** fetch wraps the useful reason (ECONNREFUSED, "other side closed") in causes; find the innermost message. */
function deepestMessage(error: unknown): string {
  let message = error instanceof Error ? error.message : String(error);
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    if (current.message) message = current.message;
    current = current.cause;
  }
  return message;
}

/** Maps what the `openai` SDK (or fetch underneath it) throws onto ragloom's stable error codes. */
export function toRagloomError(error: unknown, context: ErrorContext): RagloomError {
  if (isRagloomError(error)) return error;
  const where = `${context.endpoint} (model ${context.model})`;
  if (typeof error !== 'object' || error === null) {
    return new RagloomError('UPSTREAM_ERROR', `chat completion at ${where} failed: ${String(error)}`, {
      cause: error,
    });
  }
  const name = errorName(error);
  if (name === 'APIUserAbortError') {
    return new RagloomError('ABORTED', 'generation was aborted', { cause: error });
  }
  if (name === 'APIConnectionTimeoutError') {
    return new RagloomError('TIMEOUT', `chat completion at ${where} timed out`, {
      cause: error,
      retryable: true,
    });
  }
  if (name === 'APIConnectionError' || name === 'TypeError') {
    const detail = deepestMessage(error);
    return new RagloomError('CONNECTION_ERROR', `connection to ${where} failed: ${detail}`, {
      cause: error,
      retryable: true,
    });
  }
  if (name === 'SyntaxError') {
    return new RagloomError(
      'UPSTREAM_ERROR',
      `${where} sent a response that is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const api = error as ApiErrorShape;
  const status = typeof api.status === 'number' ? api.status : undefined;
  const message = bodyMessage(api);
  const code = api.error?.code;
  const type = api.error?.type;
  if (status === undefined) {
    // An `error` object inside the SSE stream: the server failed after it had started answering.
    return new RagloomError('UPSTREAM_ERROR', `${where} reported an error mid-stream: ${message}`, {
      cause: error,
      details: { code, type },
    });
  }
  const details: Record<string, unknown> = { status, code, type };
  const retryAfterMs = parseRetryAfter(api.headers);
  if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
  const shouldRetryHeader = api.headers?.get('x-should-retry');
  const make = (errorCode: RagloomErrorCode, text: string, retryable: boolean) =>
    new RagloomError(errorCode, text, {
      cause: error,
      details,
      retryable: shouldRetryHeader === 'true' ? true : shouldRetryHeader === 'false' ? false : retryable,
    });

  if (status === 401 || status === 403) {
    return make('AUTH_ERROR', `${where} refused the credentials (HTTP ${status}): ${message}`, false);
  }
  if (status === 404) {
    const aboutModel = code === 'model_not_found' || /model/i.test(message);
    return aboutModel
      ? make('MODEL_NOT_FOUND', `${where}: model "${context.model}" not found (HTTP 404): ${message}`, false)
      : make('NOT_FOUND', `${where}: endpoint not found (HTTP 404): ${message}`, false);
  }
  if (status === 429) {
    // OpenAI answers 429 for an exhausted quota as well; waiting does not help there.
    const quota = code === 'insufficient_quota' || type === 'insufficient_quota';
    return make('RATE_LIMITED', `${where} rate-limited the request (HTTP 429): ${message}`, !quota);
  }
  if (status === 400 || status === 413 || status === 422) {
    if (isContextLengthError(code, message)) {
      return make(
        'CONTEXT_LENGTH_EXCEEDED',
        `${where}: the prompt does not fit the context (HTTP ${status}): ${message}`,
        false,
      );
    }
    return make('INVALID_ARGUMENT', `${where} rejected the request (HTTP ${status}): ${message}`, false);
  }
  const retryable = status === 408 || status === 409 || status >= 500;
  return make('UPSTREAM_ERROR', `${where} failed (HTTP ${status}): ${message}`, retryable);
}
