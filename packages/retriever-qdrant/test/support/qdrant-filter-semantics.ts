import { parseDateTimeMicros } from '@ragloom/core';

/**
 * An independent model of Qdrant's documented filter semantics, written from the Qdrant filtering
 * and payload docs (not from this package's translator), used by the unit tests to check that a
 * translated filter selects the same records as core's reference evaluator. It is a test double:
 * the real check against Qdrant is test/qdrant.integration.test.ts (needs QDRANT_URL).
 *
 * Documented rules modelled here:
 * - must: every condition; should: at least one; must_not: none (clauses of one filter are ANDed);
 * - match.value: keyword, integer and bool payloads; "If several values are stored, at least one of
 *   them should match the condition"; a non-integer number is rejected (MatchValue takes
 *   string | integer | bool);
 * - match.any: a list of strings or a list of integers; an array matches when one element is in it;
 * - match.except: "If the stored value is an array, it should have at least one value not matching
 *   any of the given values"; a missing field has no value, so it does not match;
 * - range: float and integer payloads, at least one stored value within all bounds; string bounds
 *   make a datetime range over RFC 3339 strings (UTC assumed without a timezone);
 * - is_empty: the field "does not exist, or has null or [] value"; is_null: exists and is null.
 */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: unknown };

export class QdrantBadRequest extends Error {
  readonly status = 400;
  readonly data: { status: { error: string } };
  constructor(message: string) {
    super(message);
    this.data = { status: { error: `Wrong input: ${message}` } };
  }
}

/** A path as Qdrant prints it (`JsonPath`'s Display): a key is quoted only when it is not [alphanumeric _ -]+. */
export function displayPath(path: string): string {
  return parsePath(path)
    .map((key) => (/^[\p{Alphabetic}\p{Nd}\p{Nl}\p{No}_-]+$/u.test(key) ? key : `"${key}"`))
    .join('.');
}

/** Splits a Qdrant JSON path (`a.b`, `a."b.c"`, `a[].b`) into keys; `[]` is dropped (arrays are flattened anyway). */
export function parsePath(path: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < path.length) {
    if (path[i] === '"') {
      const end = path.indexOf('"', i + 1);
      if (end < 0) throw new QdrantBadRequest(`bad key ${path}`);
      keys.push(path.slice(i + 1, end));
      i = end + 1;
    } else {
      let j = i;
      while (j < path.length && path[j] !== '.' && path[j] !== '[') j++;
      const raw = path.slice(i, j);
      if (!/^[\p{L}\p{N}_-]+$/u.test(raw)) throw new QdrantBadRequest(`bad key ${path}`);
      keys.push(raw);
      i = j;
    }
    if (path.startsWith('[]', i)) i += 2;
    if (path[i] === '.') i++;
  }
  return keys;
}

/** The values at a path: undefined when the key is missing, else the stored value (arrays kept). */
export function valueAt(payload: Obj | undefined, path: string): unknown {
  let current: unknown = payload;
  for (const key of parsePath(path)) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    // A JSON object in Qdrant has no prototype: `constructor` or `__proto__` is a key only where stored.
    current = Object.hasOwn(current, key) ? (current as Obj)[key] : undefined;
  }
  return current;
}

const elements = (value: unknown): unknown[] =>
  value === undefined || value === null
    ? []
    : Array.isArray(value)
      ? value.filter((v) => v !== null)
      : [value];

/**
 * Qdrant's datetime parsing (`DateTimeWrapper::from_str`, chrono) compared as microsecond timestamps.
 * ragloom's one date-time grammar is defined as exactly that parsing, case by case in
 * packages/core/test/datetime.test.ts, so the double uses core's implementation of it.
 */
export function parseQdrantDatetime(text: string): bigint | undefined {
  return parseDateTimeMicros(text);
}

function checkRange(range: Obj, values: unknown[]): boolean {
  const bounds = Object.entries(range).filter(([, v]) => v !== null && v !== undefined);
  const kinds = new Set(bounds.map(([, v]) => typeof v));
  if (kinds.size > 1) throw new QdrantBadRequest('range bounds mix numbers and strings');
  const datetime = kinds.has('string');
  const asNumber = (v: unknown): number | bigint | undefined => {
    if (datetime) return typeof v === 'string' ? parseQdrantDatetime(v) : undefined;
    return typeof v === 'number' ? v : undefined;
  };
  const parsed = bounds.map(([op, bound]) => {
    const b: number | bigint | undefined = datetime
      ? parseQdrantDatetime(bound as string)
      : (bound as number);
    if (b === undefined) throw new QdrantBadRequest(`bad datetime ${String(bound)}`);
    return [op, b] as const;
  });
  return values.some((raw) => {
    const x = asNumber(raw);
    if (x === undefined) return false;
    return parsed.every(([op, b]) =>
      op === 'gt' ? x > b : op === 'gte' ? x >= b : op === 'lt' ? x < b : op === 'lte' ? x <= b : false,
    );
  });
}

function checkMatch(match: Obj, values: unknown[]): boolean {
  if ('value' in match) {
    const v = match.value;
    if (typeof v === 'number' && !Number.isInteger(v)) {
      throw new QdrantBadRequest('match value must be a string, an integer or a boolean');
    }
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw new QdrantBadRequest('bad match value');
    return values.some((x) => x === v);
  }
  const list = (match.any ?? match.except) as unknown;
  if (!Array.isArray(list)) throw new QdrantBadRequest('unsupported match');
  const allStrings = list.every((v) => typeof v === 'string');
  const allIntegers = list.every((v) => typeof v === 'number' && Number.isInteger(v));
  if (!allStrings && !allIntegers) {
    throw new QdrantBadRequest('match any/except takes a list of strings or a list of integers');
  }
  const set = new Set(list);
  if ('any' in match) return values.some((x) => set.has(x));
  // except: at least one stored value outside the set, of the list's type.
  return values.some((x) => (allStrings ? typeof x === 'string' : typeof x === 'number') && !set.has(x));
}

export function evaluateCondition(condition: Obj, payload: Obj | undefined, pointId?: string): boolean {
  if ('must' in condition || 'should' in condition || 'must_not' in condition) {
    return evaluateFilter(condition, payload, pointId);
  }
  if ('is_empty' in condition) {
    const value = valueAt(payload, (condition.is_empty as Obj).key as string);
    return value === undefined || value === null || (Array.isArray(value) && value.length === 0);
  }
  if ('is_null' in condition) {
    return valueAt(payload, (condition.is_null as Obj).key as string) === null;
  }
  if ('has_id' in condition) {
    return pointId !== undefined && (condition.has_id as unknown[]).includes(pointId);
  }
  if (typeof condition.key === 'string') {
    const values = elements(valueAt(payload, condition.key));
    if (condition.match) return checkMatch(condition.match as Obj, values);
    if (condition.range) return checkRange(condition.range as Obj, values);
  }
  throw new QdrantBadRequest(`unsupported condition ${JSON.stringify(condition)}`);
}

const list = (value: unknown): Obj[] =>
  value === undefined || value === null ? [] : Array.isArray(value) ? (value as Obj[]) : [value as Obj];

export function evaluateFilter(filter: Obj | undefined, payload: Obj | undefined, pointId?: string): boolean {
  if (filter === undefined) return true;
  const must = list(filter.must);
  const should = list(filter.should);
  const mustNot = list(filter.must_not);
  if (!must.every((c) => evaluateCondition(c, payload, pointId))) return false;
  if (should.length > 0 && !should.some((c) => evaluateCondition(c, payload, pointId))) return false;
  return !mustNot.some((c) => evaluateCondition(c, payload, pointId));
}
