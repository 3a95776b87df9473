import { isRagloomError, RagloomError } from '@ragloom/core';
import { errorFromHttpStatus, type HeadersInput, vendorFailure } from '@ragloom/core/adapter';

/** What an error names: the request (`POST http://localhost:8000/v1/embeddings (model m)`) and the call. */
export interface RequestContext {
  readonly request: string;
  /** The call, for ABORTED messages: `embedding`, `generation`. */
  readonly what: string;
}

/**
 * The fields of an `openai` APIError this mapping reads, checked structurally: a user's client may come from
 * another copy of the SDK, where `instanceof` fails.
 */
interface ApiErrorShape {
  readonly status?: unknown;
  readonly headers?: HeadersInput;
  readonly error?: unknown;
  readonly message?: unknown;
}

interface ErrorBody {
  readonly message?: unknown;
  readonly code?: unknown;
  readonly type?: unknown;
  readonly param?: unknown;
}

/** OpenAI, vLLM, llama.cpp, Ollama and TEI say "too long" in these words (and OpenAI with a code). */
const CONTEXT_LENGTH =
  /context[ _-]?(length|window)|maximum (context|input) length|too many tokens|tokens?.{0,40}(exceed|too long)|input.{0,40}too long|prompt is too long|exceeds? the (model'?s? )?(maximum|max)/i;

const constructorName = (error: object): string =>
  (error as { constructor?: { name?: unknown } }).constructor?.name === undefined
    ? ''
    : String((error as { constructor: { name: unknown } }).constructor.name);

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

const bodyOf = (error: unknown): ErrorBody =>
  typeof error === 'object' && error !== null ? (error as ErrorBody) : {};

/**
 * Maps what the `openai` SDK (or fetch beneath it) throws onto ragloom's codes. HTTP statuses go through core's
 * one status map (`errorFromHttpStatus`: 401/403 AUTH_ERROR, 404 NOT_FOUND or MODEL_NOT_FOUND, 408/504 TIMEOUT,
 * 429 RATE_LIMITED, other 4xx INVALID_ARGUMENT, 5xx UPSTREAM_ERROR; x-should-retry and Retry-After honoured).
 * What only OpenAI-compatible servers say is decided here: a 404 is about the model when the server says so
 * (else the URL is wrong), a too-long input is CONTEXT_LENGTH_EXCEEDED, and an exhausted quota (a 429) is not
 * worth retrying.
 */
export function toRagloomError(error: unknown, context: RequestContext, signal?: AbortSignal): RagloomError {
  if (isRagloomError(error)) return error;
  // Aborts are decided as in every adapter (the caller's signal, or whatever the SDK throws on abort).
  return vendorFailure(error, signal, context.what, (e) => fromVendorError(e, context.request));
}

/** What the SDK threw, not an abort, as a ragloom error naming `request`. */
function fromVendorError(error: unknown, request: string): RagloomError {
  if (typeof error !== 'object' || error === null) {
    return new RagloomError('UPSTREAM_ERROR', `${request} failed: ${String(error)}`, { cause: error });
  }
  const name = constructorName(error);
  if (name === 'APIConnectionTimeoutError') {
    return new RagloomError('TIMEOUT', `${request} did not answer in time`, {
      cause: error,
      retryable: true,
    });
  }
  if (name === 'APIConnectionError' || name === 'TypeError') {
    return new RagloomError('CONNECTION_ERROR', `cannot reach ${request}: ${deepestMessage(error)}`, {
      cause: error,
      retryable: true,
    });
  }
  if (name === 'SyntaxError') {
    return new RagloomError(
      'UPSTREAM_ERROR',
      `${request} sent a response that is not valid JSON: ${deepestMessage(error)}`,
      {
        cause: error,
      },
    );
  }
  const api = error as ApiErrorShape;
  const body = bodyOf(api.error);
  const message =
    typeof body.message === 'string' && body.message !== ''
      ? body.message
      : typeof api.error === 'string'
        ? api.error
        : String(api.message ?? '');
  const vendor = {
    ...(typeof body.code === 'string' ? { code: body.code } : {}),
    ...(typeof body.type === 'string' ? { type: body.type } : {}),
    ...(typeof body.param === 'string' ? { param: body.param } : {}),
  };
  if (typeof api.status !== 'number') {
    // An `error` event inside a stream: the server failed after it had started answering.
    return new RagloomError('UPSTREAM_ERROR', `${request} reported an error mid-stream: ${message}`, {
      cause: error,
      details: vendor,
    });
  }
  const status = api.status;
  const tooLong =
    (status === 400 || status === 413 || status === 422) &&
    (vendor.code === 'context_length_exceeded' || CONTEXT_LENGTH.test(message));
  const aboutModel = vendor.code === 'model_not_found' || /model/i.test(message);
  const mapped = errorFromHttpStatus({
    status,
    headers: api.headers,
    body: message,
    request,
    notFound: aboutModel ? 'model' : 'resource',
    ...(tooLong ? { code: 'CONTEXT_LENGTH_EXCEEDED' as const } : {}),
    ...(status === 404 && !aboutModel ? { hint: 'is `baseURL` right? It usually ends in /v1' } : {}),
    details: vendor,
    cause: error,
  });
  const exhaustedQuota = vendor.code === 'insufficient_quota' || vendor.type === 'insufficient_quota';
  if (!exhaustedQuota || !mapped.retryable) return mapped;
  // OpenAI answers 429 for an exhausted quota too; waiting does not refill it.
  return new RagloomError(mapped.code, mapped.message, {
    cause: error,
    details: mapped.details,
    retryable: false,
  });
}
