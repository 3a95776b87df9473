import type { StandardSchemaIssue, StandardSchemaV1 } from '../spec/plugin-v1.js';

/** One field of a flat options object. */
export type OptionField =
  | {
      readonly type: 'integer' | 'number';
      readonly min?: number;
      readonly max?: number;
      readonly required?: boolean;
    }
  | { readonly type: 'string'; readonly pattern?: RegExp; readonly required?: boolean }
  | { readonly type: 'boolean'; readonly required?: boolean }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly required?: boolean };

function check(field: OptionField, value: unknown): string | undefined {
  switch (field.type) {
    case 'integer':
    case 'number': {
      const ok =
        typeof value === 'number' &&
        Number.isFinite(value) &&
        (field.type === 'number' || Number.isInteger(value));
      if (!ok) return `expected ${field.type === 'integer' ? 'an integer' : 'a number'}`;
      if (field.min !== undefined && (value as number) < field.min) return `must be at least ${field.min}`;
      if (field.max !== undefined && (value as number) > field.max) return `must be at most ${field.max}`;
      return undefined;
    }
    case 'string':
      if (typeof value !== 'string' || value.length === 0) return 'expected a non-empty string';
      return field.pattern && !field.pattern.test(value) ? `must match ${field.pattern}` : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'enum':
      return field.values.includes(value as string)
        ? undefined
        : `expected one of ${field.values.map((v) => JSON.stringify(v)).join(', ')}`;
  }
}

/**
 * A Standard Schema for a flat options object, without a schema library — for plugins that must stay
 * dependency-free (core, the browser-capable HNSW index). Unknown keys are errors, so typos in a config
 * are reported instead of ignored. Larger adapters use zod 4, which is a Standard Schema too.
 */
export function createOptionsSchema(
  fields: Readonly<Record<string, OptionField>>,
): StandardSchemaV1<unknown, Record<string, unknown>> {
  return {
    '~standard': {
      version: 1,
      vendor: 'ragloom',
      validate(value) {
        if (typeof value !== 'object' || value === null || Array.isArray(value)) {
          return { issues: [{ message: 'expected an object' }] };
        }
        const record = value as Record<string, unknown>;
        const issues: StandardSchemaIssue[] = [];
        for (const key of Object.keys(record)) {
          if (!(key in fields)) issues.push({ message: `unknown option "${key}"`, path: [key] });
        }
        for (const [key, field] of Object.entries(fields)) {
          if (record[key] === undefined) {
            if (field.required) issues.push({ message: 'required', path: [key] });
            continue;
          }
          const problem = check(field, record[key]);
          if (problem) issues.push({ message: problem, path: [key] });
        }
        return issues.length > 0 ? { issues } : { value: record };
      },
    },
  };
}
