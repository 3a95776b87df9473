import type { Schemas } from '@qdrant/js-client-rest';
import {
  type FieldNode,
  type Filter,
  type FilterNode,
  formatDateTimeMicros,
  type MetadataScalar,
  parseDateTimeMicros,
  parseFilter,
  RagloomError,
} from '@ragloom/core';

export type QdrantFilter = Schemas['Filter'];
export type QdrantCondition = Schemas['Condition'];

/**
 * The result of translating a ragloom filter. Qdrant has no literal "false" condition, so a filter
 * that provably matches nothing (`$in: []`, `$not: {}`) is reported as `none` and callers skip the
 * request (search → [], count → 0, delete → 0) instead of sending a contrived always-false filter.
 */
export type QdrantFilterTranslation =
  | { readonly kind: 'all' }
  | { readonly kind: 'none' }
  | { readonly kind: 'filter'; readonly filter: QdrantFilter };

export interface QdrantFilterOptions {
  /** Payload key under which record metadata is stored (default `metadata`). */
  readonly metadataKey?: string;
  /**
   * Metadata fields with an `integer` payload index. Their values are integers (upsert refuses others),
   * so a fractional bound is sent as the equivalent integer bound (`$gt: 2.5` → `gte: 3`): Qdrant 1.18.0
   * truncated fractional bounds on integer indexes (fixed in 1.18.1), and integer bounds mean the same
   * on every version.
   */
  readonly integerFields?: ReadonlySet<string>;
}

type Simplified = FilterNode | { readonly type: 'none' };

// Qdrant's JSON-path grammar (lib/segment/src/json_path/parse.rs): an unquoted key is one or more chars
// that are Rust `char::is_alphanumeric()` (Unicode Alphabetic, or a Nd/Nl/No number), `_` or `-`;
// anything else must be in double quotes, and a quoted key cannot contain `"` or `\` (no escape
// syntax). Qdrant prints paths the same way (`JsonPath`'s Display quotes exactly the keys that need it),
// so keys written like this compare equal to the names Qdrant reports, e.g. in `payload_schema`.
const PLAIN_KEY = /^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_-]+$/u;

/** The Qdrant JSON path of a payload key, quoted when it holds characters such as `.`, `[` or a space. */
export function quotePayloadKey(key: string): string {
  if (PLAIN_KEY.test(key)) return key;
  if (key.includes('"') || key.includes('\\')) {
    throw new RagloomError(
      'UNSUPPORTED',
      `metadata field ${JSON.stringify(key)} cannot be addressed in a Qdrant filter or index: Qdrant's JSON paths have no escape for '"' or '\\'`,
      { details: { field: key } },
    );
  }
  return `"${key}"`;
}

/** The Qdrant key of a metadata field, e.g. `metadata.year` or `metadata."a.b"`. */
export function metadataFieldPath(field: string, metadataKey = 'metadata'): string {
  return `${quotePayloadKey(metadataKey)}.${quotePayloadKey(field)}`;
}

/**
 * Removes constant sub-filters so the translation never has to express "true" or "false" inside
 * Qdrant JSON: `{}` is true, `$in: []` is false, `$nin: []` is true, and they propagate through
 * and/or/not by plain boolean algebra. Nested and/or of the same kind are flattened.
 */
function simplify(node: FilterNode): Simplified {
  switch (node.type) {
    case 'all':
      return node;
    case 'field':
      if (node.op === 'in' && node.values.length === 0) return { type: 'none' };
      if (node.op === 'nin' && node.values.length === 0) return { type: 'all' };
      return node;
    case 'not': {
      const child = simplify(node.child);
      if (child.type === 'all') return { type: 'none' };
      if (child.type === 'none') return { type: 'all' };
      if (child.type === 'not') return child.child; // ¬¬x = x
      // Core defines ne, nin and exists:false as the exact negations of eq, in and exists:true, so
      // a negated one is its positive twin (and the JSON avoids a double must_not).
      if (child.type === 'field') {
        if (child.op === 'ne') return { ...child, op: 'eq' };
        if (child.op === 'nin') return { ...child, op: 'in' };
        if (child.op === 'exists') return { ...child, value: !child.value };
      }
      return { type: 'not', child };
    }
    case 'and': {
      const children: FilterNode[] = [];
      for (const c of node.children.map(simplify)) {
        if (c.type === 'none') return c;
        if (c.type === 'all') continue;
        if (c.type === 'and') children.push(...c.children);
        else children.push(c);
      }
      if (children.length === 0) return { type: 'all' };
      return children.length === 1 ? children[0]! : { type: 'and', children };
    }
    case 'or': {
      const children: FilterNode[] = [];
      for (const c of node.children.map(simplify)) {
        if (c.type === 'all') return c;
        if (c.type === 'none') continue;
        if (c.type === 'or') children.push(...c.children);
        else children.push(c);
      }
      if (children.length === 0) return { type: 'none' };
      return children.length === 1 ? children[0]! : { type: 'or', children };
    }
  }
}

/**
 * Equality with one scalar. Qdrant's `match.value` accepts keyword, integer and bool payloads only
 * ("You can apply it to keyword, integer and bool payloads"), so any number that is not a safe
 * integer becomes the closed range [v, v] — exact equality, since `range` compares stored integers
 * and floats alike ("Can be applied to float and integer payloads"). Both match and range succeed
 * on an array when at least one element does ("If several values are stored, at least one of them
 * should match the condition"), which is core's "eq on an array = any element".
 */
function equalsOn(key: string, value: MetadataScalar, integer: boolean): QdrantCondition {
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    // On an integer index the closed range of a fraction is empty ([ceil, floor]): no integer equals it.
    return integer
      ? { key, range: { gte: Math.ceil(value), lte: Math.floor(value) } }
      : { key, range: { gte: value, lte: value } };
  }
  return { key, match: { value } };
}

/**
 * One-of. Qdrant's `match.any` takes a list of strings or a list of integers — not booleans, not
 * floats and not both kinds at once — so the values are grouped: strings → one `any`, safe integers
 * → one `any`, every other number → a closed range, every boolean → its own `match.value`. The
 * caller ORs the returned conditions (`should`).
 */
function equalsAnyOn(key: string, values: readonly MetadataScalar[], integer: boolean): QdrantCondition[] {
  const strings: string[] = [];
  const integers: number[] = [];
  const others: MetadataScalar[] = [];
  for (const value of new Set(values)) {
    if (typeof value === 'string') strings.push(value);
    else if (typeof value === 'number' && Number.isSafeInteger(value)) integers.push(value);
    else others.push(value);
  }
  const conditions: QdrantCondition[] = [];
  if (strings.length > 0) conditions.push({ key, match: { any: strings } });
  if (integers.length > 0) conditions.push({ key, match: { any: integers } });
  for (const value of others) conditions.push(equalsOn(key, value, integer));
  return conditions;
}

/**
 * A date-time bound as the exact instant core's reference evaluator compares against (core's
 * `parseDateTimeMicros`: ragloom's grammar is RFC 3339 as Qdrant parses it, zone-less values are UTC on
 * every machine), written canonically — `YYYY-MM-DDTHH:MM:SS.ffffffZ`, microseconds as Qdrant keeps them.
 * An instant outside years 0000-9999 has no such spelling; the original (which Qdrant reads the same way)
 * is sent then.
 */
function datetimeBound(value: string): string {
  const micros = parseDateTimeMicros(value);
  return (micros === undefined ? undefined : formatDateTimeMicros(micros)) ?? value;
}

/** A fractional bound on an integer-only field as the integer bound that selects the same integers. */
function integerBound(op: 'gt' | 'gte' | 'lt' | 'lte', value: number): [string, number] {
  if (Number.isInteger(value)) return [op, value];
  return op === 'gt' || op === 'gte' ? ['gte', Math.ceil(value)] : ['lte', Math.floor(value)];
}

function fieldCondition(node: FieldNode, context: Context): QdrantCondition {
  const key = metadataFieldPath(node.field, context.metadataKey);
  const integer = context.integerFields.has(node.field);
  const equals = (k: string, value: MetadataScalar) => equalsOn(k, value, integer);
  const equalsAny = (k: string, values: readonly MetadataScalar[]) => equalsAnyOn(k, values, integer);
  switch (node.op) {
    case 'eq':
      return equals(key, node.value);
    case 'ne':
      // must_not is true when the inner condition is false — including when the field is missing
      // or null, where no match can succeed. That is core's `$ne` ("also matches records without
      // the field"), and on arrays it means "no element equals the value".
      return { must_not: [equals(key, node.value)] };
    case 'in': {
      const any = equalsAny(key, node.values);
      return any.length === 1 ? any[0]! : { should: any };
    }
    case 'nin':
      // Not `match.except`: Qdrant documents that on an array it is satisfied when "at least one
      // value [is] not matching any of the given values" (so ["red", "green"] passes except
      // ["red"]), and it cannot match a missing field. Core's `$nin` is the negation of `$in`:
      // no element in the set, and true for missing/null/empty. must_not of the `$in` conditions
      // is exactly that: (¬a ∧ ¬b …) = ¬(a ∨ b …).
      return { must_not: equalsAny(key, node.values) };
    case 'exists':
      // Qdrant's is_empty "will match all records where the field either does not exist, or has
      // null or [] value" — precisely core's `$exists: false`; its negation is `$exists: true`.
      return node.value ? { must_not: [{ is_empty: { key } }] } : { is_empty: { key } };
    default: {
      // One condition per bound, never merged: core tests each bound on its own (`$gte: 2017,
      // $lt: 2021` on [2015, 2023] matches, because some element passes each bound), while one
      // Qdrant range with both bounds needs a single element inside the interval.
      if (node.valueKind === 'datetime') {
        return { key, range: { [node.op]: datetimeBound(node.value as string) } } as QdrantCondition;
      }
      const [op, bound] = integer
        ? integerBound(node.op, node.value as number)
        : [node.op, node.value as number];
      return { key, range: { [op]: bound } } as QdrantCondition;
    }
  }
}

const isFilterObject = (c: QdrantCondition): c is QdrantFilter =>
  !('key' in c) && ('must' in c || 'should' in c || 'must_not' in c);

/** A condition that is nothing but `{ must_not: [...] }`, whose negated parts can be merged upward. */
function onlyMustNot(c: QdrantCondition): QdrantCondition[] | undefined {
  if (!isFilterObject(c)) return undefined;
  const keys = Object.keys(c);
  return keys.length === 1 && keys[0] === 'must_not' && Array.isArray(c.must_not) ? c.must_not : undefined;
}

interface Context {
  readonly metadataKey: string;
  readonly integerFields: ReadonlySet<string>;
}

function andFilter(children: readonly FilterNode[], context: Context): QdrantFilter {
  const must: QdrantCondition[] = [];
  const mustNot: QdrantCondition[] = [];
  for (const child of children) {
    const condition = toCondition(child, context);
    const negated = onlyMustNot(condition);
    if (negated) mustNot.push(...negated);
    else must.push(condition);
  }
  return {
    ...(must.length > 0 ? { must } : {}),
    ...(mustNot.length > 0 ? { must_not: mustNot } : {}),
  };
}

// Clause semantics used below, from Qdrant's filtering docs: `must` is AND, `should` is OR ("true if
// at least one condition listed inside should is satisfied"), `must_not` is (NOT A) AND (NOT B) …,
// clauses of one filter are ANDed, and any filter may be nested as a condition of another.
function toCondition(node: FilterNode, context: Context): QdrantCondition {
  switch (node.type) {
    case 'field':
      return fieldCondition(node, context);
    case 'and':
      return andFilter(node.children, context);
    case 'or':
      return { should: node.children.map((c) => toCondition(c, context)) };
    case 'not': {
      // ¬(a ∨ b) = ¬a ∧ ¬b: a negated OR becomes one flat must_not list.
      if (node.child.type === 'or') {
        return { must_not: node.child.children.map((c) => toCondition(c, context)) };
      }
      return { must_not: [toCondition(node.child, context)] };
    }
    case 'all':
      // simplify() removes every 'all' below the root; reaching here is a bug in this file.
      throw new RagloomError('INVALID_FILTER', 'internal: unsimplified empty filter inside a Qdrant filter');
  }
}

/**
 * Translates a validated filter AST (from core's `parseFilter`) into a Qdrant filter with exactly
 * core's reference semantics (`compileFilterNode`). Field names Qdrant cannot address throw
 * `UNSUPPORTED`.
 */
export function translateFilterNode(
  node: FilterNode,
  options: QdrantFilterOptions = {},
): QdrantFilterTranslation {
  const context: Context = {
    metadataKey: options.metadataKey ?? 'metadata',
    integerFields: options.integerFields ?? new Set(),
  };
  const simplified = simplify(node);
  if (simplified.type === 'all') return { kind: 'all' };
  if (simplified.type === 'none') return { kind: 'none' };
  if (simplified.type === 'and') return { kind: 'filter', filter: andFilter(simplified.children, context) };
  const condition = toCondition(simplified, context);
  return { kind: 'filter', filter: isFilterObject(condition) ? condition : { must: [condition] } };
}

/**
 * Validates a ragloom filter with core's `parseFilter` (so invalid filters throw `INVALID_FILTER`
 * naming the offending path) and translates its AST with `translateFilterNode`.
 */
export function translateFilter(
  filter: Filter | undefined,
  options: QdrantFilterOptions = {},
): QdrantFilterTranslation {
  return translateFilterNode(parseFilter(filter), options);
}
