import { closestMatch } from './describe-value.js';
import { refuse } from './option-leaves.js';
import {
  type AnyOptionSchema,
  buildSchema,
  INVALID,
  type InferOptions,
  type InferOptionsInput,
  type OptionDefinition,
  type OptionIssue,
  type OptionSchema,
  type OptionShape,
  type ShapeInput,
  type ShapeOutput,
  type ValueCheck,
} from './option-schema.js';

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** A strict object of declared options: its `shape` can be spread, extended, picked from and omitted from. */
export interface ObjectOptionSchema<S extends OptionShape>
  extends OptionSchema<ShapeOutput<S>, ShapeInput<S>> {
  readonly shape: S;
  /** These fields added (or replaced): the factory's options = the plugin's + code-only ones. */
  extend<E extends OptionShape>(fields: E): ObjectOptionSchema<Simplify<Omit<S, keyof E> & E>>;
  /** Only these fields. */
  pick<K extends keyof S & string>(...keys: K[]): ObjectOptionSchema<Simplify<Pick<S, K>>>;
  /** All fields but these: the plugin's options = the factory's without `client`, `fetch`, callbacks. */
  omit<K extends keyof S & string>(...keys: K[]): ObjectOptionSchema<Simplify<Omit<S, K>>>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Sets `out[key]`, also for a key named `__proto__` (JSON.parse makes it an own key; `=` would set the prototype). */
function put(out: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') {
    Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  } else {
    out[key] = value;
  }
}

function objectCheck(shape: OptionShape, unknownKeys: 'reject' | 'keep'): ValueCheck {
  const keys = Object.keys(shape);
  return (value, path, issues) => {
    if (!isPlainObject(value)) return refuse(issues, path, 'an object', value);
    const before = issues.length;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      if (Object.hasOwn(shape, key)) continue;
      if (unknownKeys === 'keep') {
        put(out, key, value[key]);
        continue;
      }
      const guess = closestMatch(key, keys);
      const valid = keys.length === 0 ? 'this takes no options' : `valid options: ${keys.join(', ')}`;
      issues.push({
        path: [...path, key],
        message: `unknown option "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}; ${valid}`,
      });
    }
    for (const key of keys) {
      const field = shape[key] as AnyOptionSchema;
      const parsed = field['~option'].run(value[key], [...path, key], issues);
      if (parsed !== undefined && parsed !== INVALID) put(out, key, parsed);
    }
    return issues.length > before ? INVALID : out;
  };
}

function objectSchema<S extends OptionShape>(shape: S): ObjectOptionSchema<S> {
  const pickKeys = (keep: (key: string) => boolean) =>
    Object.fromEntries(Object.entries(shape).filter(([key]) => keep(key)));
  return buildSchema<ShapeOutput<S>, ShapeInput<S>, Omit<ObjectOptionSchema<S>, keyof OptionSchema<never>>>(
    {
      definition: { kind: 'object', shape, unknownKeys: 'reject' },
      expected: 'an object',
      check: objectCheck(shape, 'reject'),
    },
    () => ({
      shape,
      extend: <E extends OptionShape>(fields: E) =>
        objectSchema({ ...shape, ...fields } as Simplify<Omit<S, keyof E> & E>),
      pick: <K extends keyof S & string>(...keys: K[]) =>
        objectSchema(pickKeys((key) => keys.includes(key as K)) as Simplify<Pick<S, K>>),
      omit: <K extends keyof S & string>(...keys: K[]) =>
        objectSchema(pickKeys((key) => !keys.includes(key as K)) as Simplify<Omit<S, K>>),
    }),
  );
}

/**
 * An object with exactly these fields: an unknown key is an error that names the valid ones (and the likely
 * intended one), so a typo in a config is reported instead of silently ignored. Absent optional fields stay
 * absent in the parsed value, so `{ ...defaults, ...parsed }` keeps the defaults.
 */
export const object = <S extends OptionShape>(shape: S): ObjectOptionSchema<S> => objectSchema(shape);

/**
 * An object with these fields that keeps any other key as it is, unchecked. Prefer `object`; this exists for
 * options whose remaining keys another layer validates.
 */
export function looseObject<S extends OptionShape>(
  shape: S,
): OptionSchema<
  ShapeOutput<S> & { readonly [key: string]: unknown },
  ShapeInput<S> & { readonly [key: string]: unknown }
> {
  return buildSchema({
    definition: { kind: 'object', shape, unknownKeys: 'keep' },
    expected: 'an object',
    check: objectCheck(shape, 'keep'),
  });
}

/** An object with any keys whose values all match `values` (`extraBody`, per-file checksums). */
export function record<V extends AnyOptionSchema>(
  values: V,
): OptionSchema<
  { readonly [key: string]: InferOptions<V> },
  { readonly [key: string]: InferOptionsInput<V> }
> {
  const check: ValueCheck = (value, path, issues) => {
    if (!isPlainObject(value)) return refuse(issues, path, 'an object', value);
    const before = issues.length;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const parsed = values['~option'].run(value[key], [...path, key], issues);
      if (parsed !== undefined && parsed !== INVALID) put(out, key, parsed);
    }
    return issues.length > before ? INVALID : out;
  };
  return buildSchema({ definition: { kind: 'record', values }, expected: 'an object', check });
}

export interface ArrayConstraints {
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** A list whose items all match `items` (stop sequences, stop words). */
export function array<I extends AnyOptionSchema>(
  items: I,
  constraints: ArrayConstraints = {},
): OptionSchema<readonly InferOptions<I>[], readonly InferOptionsInput<I>[]> {
  const { minItems, maxItems } = constraints;
  const count = (n: number) => `${n} item${n === 1 ? '' : 's'}`;
  const size =
    minItems !== undefined && maxItems !== undefined
      ? ` of ${minItems} to ${count(maxItems)}`
      : minItems !== undefined
        ? ` of at least ${count(minItems)}`
        : maxItems !== undefined
          ? ` of at most ${count(maxItems)}`
          : '';
  const expected = `an array${size}`;
  const check: ValueCheck = (value, path, issues) => {
    if (
      !Array.isArray(value) ||
      (minItems !== undefined && value.length < minItems) ||
      (maxItems !== undefined && value.length > maxItems)
    ) {
      return refuse(issues, path, expected, value);
    }
    const before = issues.length;
    const out = value.map((item, index) => items['~option'].run(item, [...path, index], issues));
    return issues.length > before ? INVALID : out;
  };
  return buildSchema({
    definition: {
      kind: 'array',
      items,
      ...(minItems !== undefined ? { minItems } : {}),
      ...(maxItems !== undefined ? { maxItems } : {}),
    },
    expected,
    check,
  });
}

type Category = 'string' | 'number' | 'boolean' | 'object' | 'array' | 'null' | 'other';

/** The JavaScript kinds of value a definition can accept; undefined when it accepts anything. */
function categoriesOf(definition: OptionDefinition): ReadonlySet<Category> | undefined {
  switch (definition.kind) {
    case 'string':
      return new Set(['string']);
    case 'number':
      return new Set(['number']);
    case 'boolean':
      return new Set(['boolean']);
    case 'enum':
      return new Set(definition.values.map((v) => (typeof v === 'string' ? 'string' : 'number')));
    case 'literal':
      return new Set([typeof definition.value as Category]);
    case 'object':
    case 'record':
      return new Set(['object']);
    case 'array':
      return new Set(['array']);
    case 'union': {
      const all = new Set<Category>();
      for (const member of definition.members) {
        const inner = categoriesOf(member['~option'].definition);
        if (!inner) return undefined;
        for (const c of inner) all.add(c);
      }
      return all;
    }
    default:
      return undefined;
  }
}

function categoryOf(value: unknown): Category {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  const type = typeof value;
  return type === 'string' || type === 'number' || type === 'boolean' || type === 'object' ? type : 'other';
}

/** A key every object member tags with a required literal (`type` in `{ type: 'english', ... } | ...`). */
function discriminatorKey(members: readonly AnyOptionSchema[]): string | undefined {
  const shapes = members.map((m) => {
    const d = m['~option'].definition;
    return d.kind === 'object' ? d.shape : undefined;
  });
  const first = shapes[0];
  if (!first || shapes.some((s) => s === undefined)) return undefined;
  return Object.keys(first).find((key) =>
    shapes.every((shape) => {
      const field = shape?.[key]?.['~option'];
      return field?.definition.kind === 'literal' && !field.modifiers.optional && !field.modifiers.hasDefault;
    }),
  );
}

const literalOf = (schema: AnyOptionSchema | undefined) => {
  const d = schema?.['~option'].definition;
  return d?.kind === 'literal' ? d.value : undefined;
};

/**
 * The first member that accepts the value wins. When none does, the issues reported are those of the member
 * the value was evidently meant for — the only one of its kind (a string vs an object), or the one its tag
 * names (`type: 'cjk'`) — so `prompts: { qeury: '...' }` says `prompts.qeury: unknown option`, not "no match".
 */
export function union<const M extends readonly [AnyOptionSchema, ...AnyOptionSchema[]]>(
  members: M,
): OptionSchema<InferOptions<M[number]>, InferOptionsInput<M[number]>> {
  const expected = members.map((m) => m['~option'].expected).join(' or ');
  const check: ValueCheck = (value, path, issues) => {
    const attempts: OptionIssue[][] = [];
    for (const member of members) {
      const memberIssues: OptionIssue[] = [];
      const parsed = member['~option'].run(value, path, memberIssues);
      if (parsed !== INVALID && memberIssues.length === 0) return parsed;
      attempts.push(memberIssues);
    }
    const category = categoryOf(value);
    let candidates = members
      .map((member, index) => ({ member, issues: attempts[index] ?? [] }))
      .filter(({ member }) => categoriesOf(member['~option'].definition)?.has(category) ?? true);
    const tag = category === 'object' ? discriminatorKey(candidates.map((c) => c.member)) : undefined;
    if (tag !== undefined) {
      const tagValue = (value as Record<string, unknown>)[tag];
      const tagged = candidates.filter((c) => {
        const d = c.member['~option'].definition;
        return d.kind === 'object' && literalOf(d.shape[tag]) === tagValue;
      });
      if (tagged.length === 0) {
        const tags = candidates.map((c) => {
          const d = c.member['~option'].definition;
          return d.kind === 'object' ? literalOf(d.shape[tag]) : undefined;
        });
        return refuse(
          issues,
          [...path, tag],
          `one of ${tags.map((t) => JSON.stringify(t)).join(', ')}`,
          tagValue,
        );
      }
      candidates = tagged;
    }
    const [only] = candidates;
    if (candidates.length === 1 && only) {
      issues.push(...only.issues);
      return INVALID;
    }
    return refuse(issues, path, expected, value);
  };
  return buildSchema({ definition: { kind: 'union', members }, expected, check });
}
