import { isRagloomError, RagloomError } from '../errors/ragloom-error.js';

/** Throws `ABORTED` when the signal has fired; call it between units of work. */
export function throwIfAborted(signal: AbortSignal | undefined, what = 'operation'): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/** The error every ragloom component throws on abort, carrying the signal's reason as cause. */
export function abortError(signal: AbortSignal | undefined, what = 'operation'): RagloomError {
  const reason: unknown = signal?.reason;
  if (isRagloomError(reason)) return reason;
  return new RagloomError('ABORTED', `${what} was aborted`, { cause: reason });
}

/** Is this an abort, whether ours, a DOMException AbortError, or a vendor SDK's abort error? */
export function isAbortError(error: unknown): boolean {
  if (isRagloomError(error, 'ABORTED')) return true;
  if (typeof error !== 'object' || error === null) return false;
  const name = (error as { name?: unknown }).name;
  return name === 'AbortError' || name === 'APIUserAbortError';
}
