import { abortError } from '../util/abort.js';

/**
 * Rejects with `ABORTED` as soon as `signal` fires, without waiting for `promise`: for vendor clients
 * that take no per-call signal (a REST client, a database driver, LangChain embeddings). The work
 * already started may still complete on the other side; what the abort guarantees is that the caller
 * stops waiting, and the abandoned promise never surfaces as an unhandled rejection.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    promise.catch(() => {}); // abandoned: its rejection must not surface as unhandled
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
