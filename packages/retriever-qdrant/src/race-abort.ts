import { abortError } from '@ragloom/core';

/**
 * Rejects with `ABORTED` as soon as `signal` fires, without waiting for `promise`. The REST client
 * takes no per-request signal, so an HTTP request already sent may still complete on the server;
 * what the abort guarantees is that the caller stops waiting and no further request is sent.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // the abandoned request must not surface as an unhandled rejection
    return Promise.reject(abortError(signal, what));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      promise.catch(() => {});
      reject(abortError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
