import type { StandardSchemaV1 } from '@ragloom/core';

export { isStandardSchema } from '@ragloom/core/adapter';

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
