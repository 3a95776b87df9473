/**
 * Stable error codes. They are part of the public contract: hosts branch on `code`, never on
 * message text, and adapters map their vendor errors onto these.
 */
export const RAGLOOM_ERROR_CODES = [
  'INVALID_ARGUMENT',
  'INVALID_FILTER',
  'DIMENSION_MISMATCH',
  'MANIFEST_MISMATCH',
  'MODEL_NOT_FOUND',
  'MODEL_INVALID',
  'INDEX_CORRUPT',
  /** Another process writes to this index set (its lock names the holder), or wrote while this one held it. */
  'INDEX_LOCKED',
  /** The members of an index set disagree with each other or with the set's manifest (stale, swapped, other corpus). */
  'INDEX_MISMATCH',
  'IO_ERROR',
  'NOT_FOUND',
  'UNSUPPORTED',
  'CONTEXT_LENGTH_EXCEEDED',
  'ABORTED',
  'TIMEOUT',
  'UPSTREAM_ERROR',
  'CONNECTION_ERROR',
  'AUTH_ERROR',
  'RATE_LIMITED',
  'DOWNLOAD_FAILED',
  'CHECKSUM_MISMATCH',
  'INVALID_CONFIG',
  'PLUGIN_ERROR',
] as const;

export type RagloomErrorCode = (typeof RAGLOOM_ERROR_CODES)[number];

const marker = Symbol.for('ragloom.error');

export interface RagloomErrorOptions {
  /** The underlying error (vendor SDK error, fs error, ...). */
  cause?: unknown;
  /** Machine-readable context: the filter path, expected/actual dimension, HTTP status, file name, ... */
  details?: Record<string, unknown>;
  /** Whether retrying the same call may succeed (rate limits, 5xx, timeouts). */
  retryable?: boolean;
}

/**
 * The one error class of ragloom. Checks go through `RagloomError.isInstance(e)` (or
 * `isRagloomError`), which looks for a `Symbol.for` marker rather than the prototype chain, so
 * they hold when an app ends up with two copies of @ragloom/core in node_modules.
 */
export class RagloomError extends Error {
  readonly [marker] = true;
  readonly code: RagloomErrorCode;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;

  constructor(code: RagloomErrorCode, message: string, options: RagloomErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RagloomError';
    this.code = code;
    this.details = options.details ?? {};
    this.retryable = options.retryable ?? false;
  }

  /** True when `error` is a RagloomError from any copy of core, optionally with the given code. */
  static isInstance(error: unknown, code?: RagloomErrorCode): error is RagloomError {
    return isRagloomError(error, code);
  }

  toJSON(): { name: string; code: RagloomErrorCode; message: string; details: Record<string, unknown> } {
    return { name: this.name, code: this.code, message: this.message, details: this.details };
  }
}

/** True when `error` is a RagloomError from any copy of core, optionally with the given code. */
export function isRagloomError(error: unknown, code?: RagloomErrorCode): error is RagloomError {
  if (typeof error !== 'object' || error === null) return false;
  if ((error as Record<symbol, unknown>)[marker] !== true) return false;
  return code === undefined || (error as { code?: unknown }).code === code;
}
