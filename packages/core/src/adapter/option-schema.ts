import { RagloomError } from '../errors/ragloom-error.js';
import type { StandardSchemaResult, StandardSchemaV1 } from '../spec/plugin-v1.js';
import { formatOptionPath } from './describe-value.js';

/** One problem found in an options value: where (`['prompts', 'query']`) and what, in words. */
export interface OptionIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
}

/** What a schema is, as data: read by `optionsJsonSchema` and by unions (to pick the member a value meant). */
export type OptionDefinition =
  | {
      readonly kind: 'string';
      readonly minLength: number;
      readonly maxLength?: number;
      readonly pattern?: RegExp;
      readonly format?: 'url';
    }
  | {
      readonly kind: 'number';
      readonly integer: boolean;
      readonly min?: number;
      readonly max?: number;
      readonly exclusiveMin?: number;
      readonly exclusiveMax?: number;
    }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'enum'; readonly values: readonly (string | number)[] }
  | { readonly kind: 'literal'; readonly value: string | number | boolean }
  | {
      readonly kind: 'object';
      readonly shape: OptionShape;
      readonly unknownKeys: 'reject' | 'keep';
    }
  | { readonly kind: 'record'; readonly values: AnyOptionSchema }
  | {
      readonly kind: 'array';
      readonly items: AnyOptionSchema;
      readonly minItems?: number;
      readonly maxItems?: number;
    }
  | { readonly kind: 'union'; readonly members: readonly AnyOptionSchema[] }
  | { readonly kind: 'unknown' }
  | { readonly kind: 'custom' };

/** Modifiers shared by every schema. */
export interface OptionModifiers {
  /** `undefined` (an absent key) is accepted and stays absent. */
  readonly optional: boolean;
  /** `undefined` is replaced by this value (a fresh copy each time). */
  readonly hasDefault: boolean;
  readonly defaultValue?: unknown;
  readonly description?: string;
}

/**
 * The runtime half of a schema, under a `~`-key as Standard Schema does: plain data and one function, so
 * schemas from two copies of core still compose.
 */
export interface OptionInternals {
  readonly definition: OptionDefinition;
  readonly modifiers: OptionModifiers;
  /** What the value should be, in words: `an integer from 2 to 256`. */
  readonly expected: string;
  /**
   * Checks `value` (which may be `undefined`), pushes issues, and returns the parsed value or `INVALID`.
   * `path` is where `value` sits inside the options.
   */
  run(value: unknown, path: readonly PropertyKey[], issues: OptionIssue[]): unknown;
}

/** Returned by `run` when the value was refused (the reasons are in `issues`). */
export const INVALID: unique symbol = Symbol.for('ragloom.option.invalid');

/**
 * One declared option (or the whole options object): a Standard Schema whose `validate` is synchronous, with
 * its TypeScript output and input types. `Input` differs from `Output` where a default fills a gap.
 */
export interface OptionSchema<Output, Input = Output> extends StandardSchemaV1<Input, Output> {
  readonly '~standard': {
    readonly version: 1;
    readonly vendor: 'ragloom';
    readonly validate: (value: unknown) => StandardSchemaResult<Output>;
    readonly types?: { readonly input: Input; readonly output: Output } | undefined;
  };
  readonly '~option': OptionInternals;
  /** Absent (`undefined`) is fine: the key is left out of the parsed options. */
  optional(): OptionSchema<Output | undefined, Input | undefined>;
  /** Absent (`undefined`) becomes `value`: the parsed options always have it. */
  default(value: Exclude<Output, undefined>): OptionSchema<Exclude<Output, undefined>, Input | undefined>;
  /** Documentation: shown in the JSON Schema (docs, MCP tool schemas). */
  describe(description: string): this;
  /**
   * An extra rule on the parsed value (`(v) => v.min <= v.max ? undefined : 'min must not exceed max'`):
   * return a message to refuse it. It runs only when the value passed every other check.
   */
  refine(check: (value: Output) => string | undefined): this;
}

/**
 * Any schema, for constraints (`S extends AnyOptionSchema`). Methods make `OptionSchema` invariant in theory;
 * TypeScript checks method parameters bivariantly, so every `OptionSchema<X, Y>` is one.
 */
export type AnyOptionSchema = OptionSchema<unknown, unknown>;

export type OptionShape = { readonly [key: string]: AnyOptionSchema };

/** The parsed (output) type of a schema: `InferOptions<typeof myOptions>`. Works for any Standard Schema. */
export type InferOptions<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['output'];

/** The type a caller may pass (defaults optional): `InferOptionsInput<typeof myOptions>`. */
export type InferOptionsInput<S extends StandardSchemaV1> = NonNullable<S['~standard']['types']>['input'];

type Simplify<T> = { [K in keyof T]: T[K] } & {};
type OptionalKeys<T> = { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T];
/** Keys whose type admits `undefined` become optional (`?:`), as zod does. */
export type ObjectOf<T> = Simplify<
  { readonly [K in Exclude<keyof T, OptionalKeys<T>>]: T[K] } & {
    readonly [K in OptionalKeys<T>]?: T[K];
  }
>;
export type ShapeOutput<S extends OptionShape> = ObjectOf<{ [K in keyof S]: InferOptions<S[K]> }>;
export type ShapeInput<S extends OptionShape> = ObjectOf<{ [K in keyof S]: InferOptionsInput<S[K]> }>;

/** How a builder checks a defined value: the parsed value, or `INVALID` after pushing issues. */
export type ValueCheck = (value: unknown, path: readonly PropertyKey[], issues: OptionIssue[]) => unknown;

export interface SchemaParts {
  readonly definition: OptionDefinition;
  readonly expected: string;
  readonly check: ValueCheck;
}

const NO_MODIFIERS: OptionModifiers = { optional: false, hasDefault: false };

const copyDefault = (value: unknown): unknown =>
  typeof value === 'object' && value !== null ? structuredClone(value) : value;

/**
 * Builds a schema from its parts. `extend` adds kind-specific members (an object's `shape`, `pick`, ...);
 * modifiers rebuild through it, so `describe()` on an object schema is still an object schema.
 */
export function buildSchema<Output, Input = Output, Extra extends object = object>(
  parts: SchemaParts,
  extend?: (parts: SchemaParts) => Extra,
  modifiers: OptionModifiers = NO_MODIFIERS,
  refinements: readonly ((value: never) => string | undefined)[] = [],
): OptionSchema<Output, Input> & Extra {
  const run = (value: unknown, path: readonly PropertyKey[], issues: OptionIssue[]): unknown => {
    if (value === undefined) {
      if (modifiers.hasDefault) return copyDefault(modifiers.defaultValue);
      if (modifiers.optional) return undefined;
      issues.push({ path, message: `required (expected ${parts.expected})` });
      return INVALID;
    }
    const parsed = parts.check(value, path, issues);
    if (parsed === INVALID) return INVALID;
    for (const refinement of refinements) {
      const message = (refinement as (value: unknown) => string | undefined)(parsed);
      if (message !== undefined) {
        issues.push({ path, message });
        return INVALID;
      }
    }
    return parsed;
  };
  const internals: OptionInternals = {
    definition: parts.definition,
    modifiers,
    expected: parts.expected,
    run,
  };
  const rebuild = (next: Partial<OptionModifiers>, nextRefinements = refinements) =>
    buildSchema(parts, extend, { ...modifiers, ...next }, nextRefinements);
  const schema = {
    '~standard': {
      version: 1,
      vendor: 'ragloom',
      validate(value: unknown): StandardSchemaResult<Output> {
        const issues: OptionIssue[] = [];
        const parsed = run(value, [], issues);
        return issues.length > 0 || parsed === INVALID ? { issues } : { value: parsed as Output };
      },
    },
    '~option': internals,
    optional: () => rebuild({ optional: true }),
    default(value: unknown) {
      const issues: OptionIssue[] = [];
      if (value === undefined || run(value, [], issues) === INVALID) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `the default ${JSON.stringify(value)} is not ${parts.expected}${issues[0] ? `: ${issues[0].message}` : ''}`,
        );
      }
      return rebuild({ hasDefault: true, defaultValue: copyDefault(value) });
    },
    describe: (description: string) => rebuild({ description }),
    refine: (check: (value: never) => string | undefined) => rebuild({}, [...refinements, check]),
    ...extend?.(parts),
  };
  // The modifiers' return types are declared on OptionSchema; the object built here has exactly those members.
  return schema as OptionSchema<Output, Input> & Extra;
}

/** The `~option` half of a schema (every schema built by `option.*` has one). */
export function internalsOf(schema: AnyOptionSchema): OptionInternals {
  return schema['~option'];
}

/** Runs a schema and returns the parsed value or the issues with readable paths. */
export function runSchema<S extends AnyOptionSchema>(
  schema: S,
  value: unknown,
): { ok: true; value: InferOptions<S> } | { ok: false; issues: { path: string; message: string }[] } {
  const issues: OptionIssue[] = [];
  const parsed = schema['~option'].run(value, [], issues);
  if (issues.length === 0 && parsed !== INVALID) return { ok: true, value: parsed as InferOptions<S> };
  return {
    ok: false,
    issues: issues.map((issue) => ({ path: formatOptionPath(issue.path), message: issue.message })),
  };
}
