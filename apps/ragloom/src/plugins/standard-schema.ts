import type { StandardSchemaV1 } from '@ragloom/core';

export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (typeof value !== 'object' || value === null) return false;
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return typeof std === 'object' && std !== null && std.version === 1 && typeof std.validate === 'function';
}

/** Runs a Standard Schema and returns the parsed value or `path: message` problems. */
export async function validateWithStandardSchema(
  schema: StandardSchemaV1,
  value: unknown,
): Promise<
  { ok: true; value: unknown } | { ok: false; problems: { path: PropertyKey[]; message: string }[] }
> {
  const result = await schema['~standard'].validate(value);
  if (result.issues === undefined) return { ok: true, value: result.value };
  return {
    ok: false,
    problems: result.issues.map((issue) => ({
      path: (issue.path ?? []).map((p) => (typeof p === 'object' && p !== null ? p.key : p)),
      message: issue.message,
    })),
  };
}
