import { isRagloomError, RagloomError, type RagloomErrorCode } from '@ragloom/core';
import { errorFromHttpStatus, findSocketErrorCode } from '@ragloom/core/adapter';

/** What was called, for messages: `ChatOpenAI chat generation`. */
export interface LangChainCallContext {
  readonly component: string;
  readonly operation: string;
}

/** LangChain's `lc_error_code` values (set by its integrations on provider errors) → ragloom codes. */
const LC_ERROR_CODES: Readonly<Record<string, RagloomErrorCode>> = {
  CONTEXT_OVERFLOW: 'CONTEXT_LENGTH_EXCEEDED',
  INVALID_PROMPT_INPUT: 'INVALID_ARGUMENT',
  INVALID_TOOL_RESULTS: 'INVALID_ARGUMENT',
  MESSAGE_COERCION_FAILURE: 'INVALID_ARGUMENT',
  MODEL_AUTHENTICATION: 'AUTH_ERROR',
  MODEL_NOT_FOUND: 'MODEL_NOT_FOUND',
  MODEL_RATE_LIMIT: 'RATE_LIMITED',
  OUTPUT_PARSING_FAILURE: 'UPSTREAM_ERROR',
  MODEL_ABORTED: 'ABORTED',
};

/** LangChain's own error classes, by name (their brand is per copy of @langchain/core; the name is not). */
const LC_ERROR_NAMES: Readonly<Record<string, RagloomErrorCode>> = {
  ContextOverflowError: 'CONTEXT_LENGTH_EXCEEDED',
  ModelAbortError: 'ABORTED',
  ModelRefusalError: 'UPSTREAM_ERROR',
};

/** The fields of a provider error (an `openai` APIError, an Anthropic error, ...) that LangChain passes on. */
interface ProviderErrorShape {
  readonly message?: unknown;
  readonly status?: unknown;
  readonly headers?: unknown;
  readonly error?: unknown;
  readonly lc_error_code?: unknown;
  readonly name?: unknown;
}

/**
 * Maps what a LangChain model or embeddings class throws onto ragloom's codes: an HTTP status (LangChain's
 * integrations keep the provider's error, with `status` and `headers`) through core's one status map, else
 * LangChain's `lc_error_code`, else UPSTREAM_ERROR. Aborts are the caller's to map (it knows its signal).
 */
export function toRagloomError(error: unknown, context: LangChainCallContext): RagloomError {
  if (isRagloomError(error)) return error;
  const what = `${context.component} ${context.operation}`;
  if (typeof error !== 'object' || error === null) {
    return new RagloomError('UPSTREAM_ERROR', `${what} failed: ${String(error)}`, { cause: error });
  }
  const outer = error as ProviderErrorShape & { readonly cause?: unknown };
  // LangChain's error classes wrap the provider's error (with the HTTP status) as `cause`.
  const inner =
    typeof outer.cause === 'object' && outer.cause !== null ? (outer.cause as ProviderErrorShape) : undefined;
  const e = typeof outer.status === 'number' || !inner ? outer : inner;
  const message = typeof outer.message === 'string' ? outer.message : String(error);
  const lcCode =
    (typeof outer.lc_error_code === 'string' ? LC_ERROR_CODES[outer.lc_error_code] : undefined) ??
    (typeof outer.name === 'string' ? LC_ERROR_NAMES[outer.name] : undefined);
  if (typeof e.status === 'number' && e.status >= 400) {
    const headers =
      typeof e.headers === 'object' && e.headers !== null ? (e.headers as Record<string, string>) : undefined;
    return errorFromHttpStatus({
      status: e.status,
      headers,
      body: e.error ?? message,
      request: what,
      notFound: 'model',
      cause: error,
      ...(lcCode === 'CONTEXT_LENGTH_EXCEEDED' ? { code: lcCode } : {}),
    });
  }
  if (lcCode) return new RagloomError(lcCode, `${what} failed: ${message}`, { cause: error });
  if (e.name === 'TimeoutError') {
    return new RagloomError('TIMEOUT', `${what} timed out: ${message}`, { cause: error, retryable: true });
  }
  // The socket error's code sits in the cause chain (APIConnectionError → TypeError 'fetch failed' → the
  // socket error), not in the message, which says only "Connection error.".
  const socketCode = findSocketErrorCode(error);
  if (socketCode !== undefined) {
    return new RagloomError(
      'CONNECTION_ERROR',
      `${what} could not reach the model server (${socketCode}): ${message}`,
      { cause: error, details: { socketCode }, retryable: true },
    );
  }
  return new RagloomError('UPSTREAM_ERROR', `${what} failed: ${message}`, { cause: error });
}
