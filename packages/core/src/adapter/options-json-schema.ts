import type { AnyOptionSchema } from './option-schema.js';

/** A JSON Schema (draft 2020-12) document, as plain JSON. */
export type JsonSchema = { readonly [keyword: string]: unknown };

function convert(schema: AnyOptionSchema): Record<string, unknown> {
  const { definition: d, modifiers } = schema['~option'];
  let out: Record<string, unknown>;
  switch (d.kind) {
    case 'string':
      out = { type: 'string' };
      if (d.format === 'url') out.format = 'uri';
      else if (d.minLength > 0) out.minLength = d.minLength;
      if (d.maxLength !== undefined) out.maxLength = d.maxLength;
      // Flags (`/i`) have no JSON Schema equivalent; the source is what other validators can use.
      if (d.pattern) out.pattern = d.pattern.source;
      break;
    case 'number':
      out = { type: d.integer ? 'integer' : 'number' };
      if (d.min !== undefined) out.minimum = d.min;
      if (d.max !== undefined) out.maximum = d.max;
      if (d.exclusiveMin !== undefined) out.exclusiveMinimum = d.exclusiveMin;
      if (d.exclusiveMax !== undefined) out.exclusiveMaximum = d.exclusiveMax;
      break;
    case 'boolean':
      out = { type: 'boolean' };
      break;
    case 'enum':
      out = { enum: [...d.values] };
      break;
    case 'literal':
      out = { const: d.value };
      break;
    case 'object': {
      const properties: Record<string, unknown> = {};
      const required: string[] = [];
      for (const [key, field] of Object.entries(d.shape)) {
        properties[key] = convert(field);
        const m = field['~option'].modifiers;
        if (!m.optional && !m.hasDefault) required.push(key);
      }
      out = { type: 'object', properties };
      if (required.length > 0) out.required = required;
      if (d.unknownKeys === 'reject') out.additionalProperties = false;
      break;
    }
    case 'record':
      out = { type: 'object', additionalProperties: convert(d.values) };
      break;
    case 'array':
      out = { type: 'array', items: convert(d.items) };
      if (d.minItems !== undefined) out.minItems = d.minItems;
      if (d.maxItems !== undefined) out.maxItems = d.maxItems;
      break;
    case 'union':
      out = { anyOf: d.members.map(convert) };
      break;
    default:
      out = {};
  }
  if (modifiers.description !== undefined) out.description = modifiers.description;
  if (modifiers.hasDefault) out.default = modifiers.defaultValue;
  return out;
}

/**
 * The JSON Schema of a declaration, for docs, editors and MCP tool schemas. It says what JSON Schema can say:
 * `refine` rules and code-only fields (`option.function`, `option.custom`, shown as `{}`) are not in it.
 */
export function optionsJsonSchema(schema: AnyOptionSchema): JsonSchema {
  return { $schema: 'https://json-schema.org/draft/2020-12/schema', ...convert(schema) };
}
