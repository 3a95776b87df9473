import { isRagloomError, type RagloomError, type RagloomErrorCode } from '@ragloom/core';
import { expect } from 'vitest';

/**
 * Runs `action` and asserts it fails with a RagloomError of one of `codes` (checked by marker, so a
 * plugin built against another copy of core passes). Returns the error for further checks.
 */
export async function expectRagloomError(
  action: () => unknown,
  codes: RagloomErrorCode | readonly RagloomErrorCode[],
  what: string,
): Promise<RagloomError> {
  const wanted = typeof codes === 'string' ? [codes] : codes;
  let caught: unknown;
  try {
    await action();
  } catch (error) {
    caught = error;
  }
  expect(caught, `${what}: expected a RagloomError (${wanted.join(' or ')}), but it succeeded`).toBeDefined();
  expect(
    isRagloomError(caught),
    `${what}: expected a RagloomError (${wanted.join(' or ')}), got ${String(caught)}`,
  ).toBe(true);
  const error = caught as RagloomError;
  expect(wanted, `${what}: wrong error code "${error.code}" (${error.message})`).toContain(error.code);
  return error;
}
