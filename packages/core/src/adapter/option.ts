import { array, looseObject, object, record, union } from './option-composites.js';
import {
  boolean,
  custom,
  enumOf,
  fn,
  implementing,
  integer,
  literal,
  number,
  string,
  unknown,
  url,
} from './option-leaves.js';

/**
 * The option builders. Declare an adapter's options once; the declaration is the plugin's Standard Schema,
 * the factory's runtime check (`parseOptions`), the TypeScript type (`InferOptions`) and a JSON Schema
 * (`optionsJsonSchema`).
 *
 * ```ts
 * export const myOptions = option.object({
 *   model: option.string(),
 *   baseURL: option.url().optional(),
 *   maxBatchSize: option.integer({ min: 1 }).default(64),
 *   prompts: option.union([option.enum(['e5', 'bge']), option.object({ query: option.string({ minLength: 0 }) })]).optional(),
 * });
 * export type MyOptions = InferOptions<typeof myOptions>;
 * ```
 */
export const option = {
  string,
  url,
  number,
  integer,
  boolean,
  enum: enumOf,
  literal,
  object,
  looseObject,
  record,
  array,
  union,
  unknown,
  function: fn,
  custom,
  implementing,
} as const;
