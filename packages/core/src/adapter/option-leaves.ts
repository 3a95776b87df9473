import { closestMatch, describeValue } from './describe-value.js';
import {
  buildSchema,
  INVALID,
  type OptionIssue,
  type OptionSchema,
  type ValueCheck,
} from './option-schema.js';

export interface StringConstraints {
  /** Default 1: an empty string in options is almost always a mistake. `0` allows it. */
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: RegExp;
  /** The pattern in words, for messages: `'a plain file name'` instead of `a string matching /^[\w.-]+$/`. */
  readonly expected?: string;
}

export interface UrlConstraints {
  /** Accepted schemes, with the colon. Default `['http:', 'https:']`. */
  readonly protocols?: readonly string[];
}

export interface NumberConstraints {
  /** Inclusive lower bound. */
  readonly min?: number;
  /** Inclusive upper bound. */
  readonly max?: number;
  /** Exclusive lower bound: `exclusiveMin: 0` is "positive". */
  readonly exclusiveMin?: number;
  /** Exclusive upper bound. */
  readonly exclusiveMax?: number;
}

/** Records "expected …, got …" at `path` and returns INVALID. */
export function refuse(
  issues: OptionIssue[],
  path: readonly PropertyKey[],
  expected: string,
  value: unknown,
  hint = '',
): typeof INVALID {
  issues.push({ path, message: `expected ${expected}, got ${describeValue(value)}${hint}` });
  return INVALID;
}

function stringExpected(c: StringConstraints): string {
  if (c.expected !== undefined) return c.expected;
  const min = c.minLength ?? 1;
  let base: string;
  if (c.maxLength !== undefined) base = `a string of ${min} to ${c.maxLength} characters`;
  else if (min === 0) base = 'a string';
  else if (min === 1) base = 'a non-empty string';
  else base = `a string of at least ${min} characters`;
  return c.pattern ? `${base} matching ${c.pattern}` : base;
}

/** A string: non-empty unless `minLength: 0`, optionally bounded in length and matched against a pattern. */
export function string(constraints: StringConstraints = {}): OptionSchema<string> {
  const minLength = constraints.minLength ?? 1;
  const expected = stringExpected(constraints);
  const { pattern, maxLength } = constraints;
  const check: ValueCheck = (value, path, issues) => {
    if (
      typeof value !== 'string' ||
      value.length < minLength ||
      (maxLength !== undefined && value.length > maxLength)
    ) {
      return refuse(issues, path, expected, value);
    }
    // lastIndex matters for /g and /y patterns; a test must not depend on the previous one.
    if (pattern) pattern.lastIndex = 0;
    if (pattern && !pattern.test(value)) return refuse(issues, path, expected, value);
    return value;
  };
  return buildSchema<string>({
    definition: {
      kind: 'string',
      minLength,
      ...(maxLength !== undefined ? { maxLength } : {}),
      ...(pattern ? { pattern } : {}),
    },
    expected,
    check,
  });
}

/** An absolute URL (parsed with `new URL`), http(s) unless `protocols` says otherwise. */
export function url(constraints: UrlConstraints = {}): OptionSchema<string> {
  const protocols = constraints.protocols ?? ['http:', 'https:'];
  const names = protocols.map((p) => p.replace(/:$/, ''));
  const expected = names.join(',') === 'http,https' ? 'an http(s) URL' : `a URL (${names.join(', ')})`;
  const check: ValueCheck = (value, path, issues) => {
    if (typeof value !== 'string') return refuse(issues, path, expected, value);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return refuse(issues, path, expected, value);
    }
    if (!protocols.includes(parsed.protocol)) return refuse(issues, path, expected, value);
    return value;
  };
  return buildSchema<string>({
    definition: { kind: 'string', minLength: 1, format: 'url' },
    expected,
    check,
  });
}

function boundsText(c: NumberConstraints): string {
  const low =
    c.exclusiveMin !== undefined ? `> ${c.exclusiveMin}` : c.min !== undefined ? `>= ${c.min}` : undefined;
  const high =
    c.exclusiveMax !== undefined ? `< ${c.exclusiveMax}` : c.max !== undefined ? `<= ${c.max}` : undefined;
  if (
    c.min !== undefined &&
    c.max !== undefined &&
    c.exclusiveMin === undefined &&
    c.exclusiveMax === undefined
  ) {
    return ` from ${c.min} to ${c.max}`;
  }
  if (low && high) return ` ${low} and ${high}`;
  return low ? ` ${low}` : high ? ` ${high}` : '';
}

function numberSchema(integer: boolean, c: NumberConstraints): OptionSchema<number> {
  const expected = `${integer ? 'an integer' : 'a number'}${boundsText(c)}`;
  const check: ValueCheck = (value, path, issues) => {
    const ok =
      typeof value === 'number' &&
      Number.isFinite(value) &&
      (!integer || Number.isInteger(value)) &&
      (c.min === undefined || value >= c.min) &&
      (c.max === undefined || value <= c.max) &&
      (c.exclusiveMin === undefined || value > c.exclusiveMin) &&
      (c.exclusiveMax === undefined || value < c.exclusiveMax);
    return ok ? value : refuse(issues, path, expected, value);
  };
  return buildSchema<number>({ definition: { kind: 'number', integer, ...c }, expected, check });
}

/** A finite number, optionally bounded (`min`/`max` inclusive, `exclusiveMin`/`exclusiveMax` strict). */
export const number = (constraints: NumberConstraints = {}): OptionSchema<number> =>
  numberSchema(false, constraints);

/** An integer, optionally bounded: `integer({ min: 1 })` is a positive integer. */
export const integer = (constraints: NumberConstraints = {}): OptionSchema<number> =>
  numberSchema(true, constraints);

/** `true` or `false` (not `"true"`, not `1`). */
export function boolean(): OptionSchema<boolean> {
  const expected = 'true or false';
  return buildSchema<boolean>({
    definition: { kind: 'boolean' },
    expected,
    check: (value, path, issues) =>
      typeof value === 'boolean' ? value : refuse(issues, path, expected, value),
  });
}

const quote = (value: string | number | boolean) =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

/** One of the given strings or numbers; a near miss gets a "did you mean" hint. */
export function enumOf<const V extends readonly (string | number)[]>(values: V): OptionSchema<V[number]> {
  if (values.length === 0) throw new TypeError('option.enum needs at least one value');
  const expected =
    values.length === 1 ? quote(values[0] as string | number) : `one of ${values.map(quote).join(', ')}`;
  const strings = values.filter((v): v is string => typeof v === 'string');
  return buildSchema<V[number]>({
    definition: { kind: 'enum', values },
    expected,
    check: (value, path, issues) => {
      if (values.includes(value as string | number)) return value;
      const guess = typeof value === 'string' ? closestMatch(value, strings) : undefined;
      return refuse(issues, path, expected, value, guess === undefined ? '' : ` (did you mean "${guess}"?)`);
    },
  });
}

/** Exactly this value: the tag of one member of a union (`literal('english')`). */
export function literal<const V extends string | number | boolean>(value: V): OptionSchema<V> {
  const expected = quote(value);
  return buildSchema<V>({
    definition: { kind: 'literal', value },
    expected,
    check: (input, path, issues) => (input === value ? input : refuse(issues, path, expected, input)),
  });
}

/** Any value at all (a free-form `extraBody` field); nothing is checked or copied. */
export function unknown(): OptionSchema<unknown> {
  // Optional by nature: its type admits undefined, so an object field of it is optional too.
  return buildSchema<unknown>(
    { definition: { kind: 'unknown' }, expected: 'any value', check: (value) => value },
    undefined,
    { optional: true, hasDefault: false },
  );
}

/**
 * A value only code can pass (a client, a `fetch`, an `AbortSignal`): `check` says whether it is acceptable.
 * Shown as `{}` in JSON Schema, so keep such fields out of the schema a plugin exposes (`omit` them).
 */
export function custom<T>(expected: string, check: (value: unknown) => boolean): OptionSchema<T> {
  return buildSchema<T>({
    definition: { kind: 'custom' },
    expected,
    check: (value, path, issues) => (check(value) ? value : refuse(issues, path, expected, value)),
  });
}

/** A function (a callback, a `fetch`); typed as `F`, checked only to be callable. */
export function fn<F extends (...args: never[]) => unknown>(): OptionSchema<F> {
  return custom<F>('a function', (value) => typeof value === 'function');
}

/**
 * An object only code can pass that must have these methods (a client, a pool, a sparse encoder): checked
 * structurally, never with `instanceof`, so an object from another copy of a library passes.
 */
export function implementing<T>(expected: string, methods: readonly string[]): OptionSchema<T> {
  return custom<T>(
    expected,
    (value) =>
      typeof value === 'object' &&
      value !== null &&
      methods.every((name) => typeof (value as Record<string, unknown>)[name] === 'function'),
  );
}
