import { isRagloomError, type RagloomErrorCode } from '@ragloom/core';

/** The OpenAI error body, so OpenAI clients surface our messages as they do theirs. */
export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly param: string | null;
    readonly code: string | null;
  };
}

export function errorBody(
  message: string,
  type: string,
  code: string | null = null,
  param: string | null = null,
): ErrorBody {
  return { error: { message, type, param, code } };
}

const STATUS: Partial<Record<RagloomErrorCode, number>> = {
  INVALID_ARGUMENT: 400,
  INVALID_FILTER: 400,
  CONTEXT_LENGTH_EXCEEDED: 400,
  DIMENSION_MISMATCH: 400,
  NOT_FOUND: 404,
  INDEX_LOCKED: 409,
  UNSUPPORTED: 400,
  TIMEOUT: 504,
  ABORTED: 499,
  RATE_LIMITED: 429,
  UPSTREAM_ERROR: 502,
  CONNECTION_ERROR: 502,
  AUTH_ERROR: 502,
};

/** HTTP status and body for an error thrown while serving a request. */
export function errorResponse(error: unknown): { status: number; body: ErrorBody & { applied?: boolean } } {
  if (isRagloomError(error)) {
    // A route may ask for a status of its own (403 for a refused writer token).
    const asked = error.details.httpStatus;
    const status = typeof asked === 'number' ? asked : (STATUS[error.code] ?? 500);
    const type = status < 500 ? 'invalid_request_error' : status === 504 ? 'timeout_error' : 'server_error';
    const param = typeof error.details.param === 'string' ? error.details.param : null;
    const body = errorBody(error.message, type, error.code.toLowerCase(), param);
    // Write routes say whether anything of the request was committed.
    const applied = error.details.applied;
    return { status, body: typeof applied === 'boolean' ? { ...body, applied } : body };
  }
  return { status: 500, body: errorBody('internal server error', 'server_error', 'internal_error') };
}
