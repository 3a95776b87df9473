import type { RagloomError } from '../errors/ragloom-error.js';
import { abortError, isAbortError } from '../util/abort.js';

/**
 * What a failed vendor call becomes: ABORTED when the caller's signal fired or the vendor reports an abort
 * (whatever it threw then: SDKs wrap aborts differently), else the adapter's own mapping of the error.
 */
export function vendorFailure(
  error: unknown,
  signal: AbortSignal | undefined,
  what: string,
  toRagloomError: (error: unknown) => RagloomError,
): RagloomError {
  return signal?.aborted || isAbortError(error) ? abortError(signal, what) : toRagloomError(error);
}
