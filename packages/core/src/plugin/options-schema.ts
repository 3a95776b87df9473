import { option } from '../adapter/option.js';
import type { AnyOptionSchema, OptionShape } from '../adapter/option-schema.js';
import type { StandardSchemaV1 } from '../spec/plugin-v1.js';

/**
 * One field of a flat options object.
 * @deprecated Declare options with `option` from `@ragloom/core/adapter`.
 */
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

function fieldSchema(field: OptionField): AnyOptionSchema {
  switch (field.type) {
    case 'integer':
    case 'number': {
      const bounds = {
        ...(field.min !== undefined ? { min: field.min } : {}),
        ...(field.max !== undefined ? { max: field.max } : {}),
      };
      return field.type === 'integer' ? option.integer(bounds) : option.number(bounds);
    }
    case 'string':
      return option.string(field.pattern ? { pattern: field.pattern } : {});
    case 'boolean':
      return option.boolean();
    case 'enum':
      return option.enum(field.values);
  }
}

/**
 * A Standard Schema for a flat options object, without a schema library. Unknown keys are errors.
 * @deprecated Declare options with `option.object({...})` from `@ragloom/core/adapter`: the same checks, nested
 * objects, unions and defaults, typed output, and `parseOptions` for the factory. This is now a thin layer on it.
 */
export function createOptionsSchema(
  fields: Readonly<Record<string, OptionField>>,
): StandardSchemaV1<unknown, Record<string, unknown>> {
  const shape: Record<string, AnyOptionSchema> = {};
  for (const [key, field] of Object.entries(fields)) {
    const schema = fieldSchema(field);
    shape[key] = field.required ? schema : schema.optional();
  }
  const declared: OptionShape = shape;
  return option.object(declared);
}
