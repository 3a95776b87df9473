import { it } from 'vitest';

/** Named opt-outs: test name → the reason it does not apply (printed in the skipped test's title). */
export type SkipMap<Name extends string> = Partial<Record<Name, string>>;

/**
 * Registers one named conformance test, or a visibly skipped one when the adapter opted out of it.
 * The name is the stable identifier adapters use in `skip`.
 */
export function conformanceTest<Name extends string>(
  name: Name,
  skip: SkipMap<Name> | undefined,
  fn: () => Promise<void> | void,
  timeout?: number,
): void {
  const reason = skip?.[name];
  if (reason !== undefined) it.skip(`${name} (skipped: ${reason})`, fn);
  else it(name, fn, timeout);
}
