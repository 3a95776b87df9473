import { type Filter, parseFilter, RagloomError } from '@ragloom/core';

/** Parses a `--filter` JSON argument into a validated filter (INVALID_FILTER names what is wrong). */
export function parseFilterOption(text: string | undefined): Filter | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RagloomError('INVALID_FILTER', `--filter is not valid JSON: ${(error as Error).message}`);
  }
  parseFilter(value as Filter);
  return value as Filter;
}
