/** The shape of a RagloomError, as its public contract defines it (test-utils cannot import core: core's tests use it). */
export interface RagloomErrorShape extends Error {
  readonly code: string;
  readonly details: Record<string, unknown>;
  readonly retryable: boolean;
}

const isRagloomError = (error: unknown): error is RagloomErrorShape =>
  typeof error === 'object' &&
  error !== null &&
  (error as Record<symbol, unknown>)[Symbol.for('ragloom.error')] === true;

/**
 * Awaits a promise that must reject with a RagloomError and returns that error, so a test can check its
 * `code`, message and details. Anything else — success, or a different error — fails the test.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<RagloomErrorShape> {
  try {
    await promise;
  } catch (error) {
    if (isRagloomError(error)) return error;
    throw error;
  }
  throw new Error('expected a rejection with a RagloomError, but the promise resolved');
}
