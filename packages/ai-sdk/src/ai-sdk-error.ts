import { isRagloomError, RagloomError, type RagloomErrorCode } from '@ragloom/core';
import { errorFromHttpStatus } from '@ragloom/core/adapter';

/** Who was called, for messages: `openai.chat model gpt-4o-mini`. */
export interface AiSdkCallContext {
  readonly provider: string;
  readonly modelId: string;
  /** `chat generation`, `embedding`. */
  readonly operation: string;
}

/**
 * AI SDK errors carry `Symbol.for('vercel.ai.error.<name>')` markers, which the SDK's own `isInstance` checks;
 * reading the marker works across copies and majors of `@ai-sdk/provider`, where `instanceof` would not.
 */
function hasAiSdkMarker(error: object, name: string): boolean {
  return (error as Record<symbol, unknown>)[Symbol.for(`vercel.ai.error.${name}`)] === true;
}

/** The fields of an `APICallError` this mapping reads. */
interface ApiCallErrorShape {
  readonly message: string;
  readonly url?: string;
  readonly statusCode?: number;
  readonly responseHeaders?: Record<string, string>;
  readonly responseBody?: string;
  readonly isRetryable?: boolean;
}

const CONTEXT_LENGTH =
  /context[ _-]?(length|window)|maximum context|too many tokens|prompt is too long|reduce the length/i;

/** Codes of the AI SDK's own (non-HTTP) errors. */
const SDK_ERROR_CODES: readonly [name: string, code: RagloomErrorCode][] = [
  ['AI_LoadAPIKeyError', 'AUTH_ERROR'],
  ['AI_NoSuchModelError', 'MODEL_NOT_FOUND'],
  ['AI_UnsupportedFunctionalityError', 'UNSUPPORTED'],
  ['AI_InvalidArgumentError', 'INVALID_ARGUMENT'],
  ['AI_InvalidPromptError', 'INVALID_ARGUMENT'],
  ['AI_TooManyEmbeddingValuesForCallError', 'INVALID_ARGUMENT'],
  ['AI_EmptyResponseBodyError', 'UPSTREAM_ERROR'],
  ['AI_InvalidResponseDataError', 'UPSTREAM_ERROR'],
  ['AI_JSONParseError', 'UPSTREAM_ERROR'],
  ['AI_TypeValidationError', 'UPSTREAM_ERROR'],
];

function apiCallError(error: ApiCallErrorShape, context: AiSdkCallContext): RagloomError {
  const request = `${context.operation} at ${error.url ?? context.provider} (model ${context.modelId})`;
  if (error.statusCode === undefined) {
    // No response at all: fetch failed (refused, reset, DNS). The SDK marks these retryable.
    return new RagloomError('CONNECTION_ERROR', `${request} failed: ${error.message}`, {
      cause: error,
      retryable: error.isRetryable ?? true,
      details: { url: error.url },
    });
  }
  const status = error.statusCode;
  const contextLength =
    (status === 400 || status === 413 || status === 422) &&
    CONTEXT_LENGTH.test(`${error.responseBody ?? ''} ${error.message}`);
  return errorFromHttpStatus({
    status,
    headers: error.responseHeaders,
    body: error.responseBody ?? error.message,
    request,
    notFound: 'model',
    cause: error,
    details: { provider: context.provider },
    ...(contextLength ? { code: 'CONTEXT_LENGTH_EXCEEDED' as const } : {}),
  });
}

/**
 * Maps what an AI SDK model throws (or puts in an `error` stream part) onto ragloom's stable codes: HTTP
 * failures through core's one status map, the SDK's own errors by name, anything else as UPSTREAM_ERROR.
 * Aborts are the caller's to map (it knows whether its signal fired).
 */
export function toRagloomError(error: unknown, context: AiSdkCallContext): RagloomError {
  if (isRagloomError(error)) return error;
  const what = `${context.provider} ${context.operation} (model ${context.modelId})`;
  if (typeof error !== 'object' || error === null) {
    return new RagloomError('UPSTREAM_ERROR', `${what} failed: ${String(error)}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String((error as { message?: unknown }).message);
  if (hasAiSdkMarker(error, 'AI_APICallError')) return apiCallError(error as ApiCallErrorShape, context);
  for (const [name, code] of SDK_ERROR_CODES) {
    if (hasAiSdkMarker(error, name)) {
      return new RagloomError(code, `${what} failed: ${message}`, {
        cause: error,
        details: { aiSdkError: name },
      });
    }
  }
  if ((error as { name?: unknown }).name === 'TypeError' && /fetch|network|socket/i.test(message)) {
    return new RagloomError('CONNECTION_ERROR', `${what} failed: ${message}`, {
      cause: error,
      retryable: true,
    });
  }
  return new RagloomError('UPSTREAM_ERROR', `${what} failed: ${message}`, { cause: error });
}
