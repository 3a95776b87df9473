import { RagloomError } from '../errors/ragloom-error.js';
import type { MetadataScalar } from '../spec/shared-types.js';
import { parseDateTimeMicros } from './datetime.js';
import type { FieldNode, FilterNode, RangeBound } from './filter-types.js';

/** Logical nesting deeper than this is rejected: such filters are machine-made mistakes, and recursion has limits. */
export const MAX_FILTER_DEPTH = 16;

const LOGICAL = new Set(['$and', '$or', '$not']);
const FIELD_OPS = new Set(['$eq', '$ne', '$in', '$nin', '$gt', '$gte', '$lt', '$lte', '$exists']);

function fail(path: string, message: string): never {
  throw new RagloomError('INVALID_FILTER', `invalid filter at ${path}: ${message}`, { details: { path } });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return typeof value === 'string' ? `the string ${JSON.stringify(value)}` : `a ${typeof value}`;
}

function scalar(value: unknown, path: string): MetadataScalar {
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  fail(path, `expected a string, finite number or boolean, got ${describe(value)}`);
}

/**
 * Milliseconds since the epoch (microseconds as the fraction) of a date-time in ragloom's grammar —
 * RFC 3339 as Qdrant parses it, see `parseDateTimeMicros` — or NaN. A value without a zone designator
 * is UTC (as in Qdrant and RFC 3339), not the machine's local time as `Date.parse` would read it, so a
 * filter means the same on every machine and in every retriever.
 */
export function parseDateTime(value: string): number {
  const micros = parseDateTimeMicros(value);
  return micros === undefined ? Number.NaN : Number(micros) / 1000;
}

/** True for strings in ragloom's date-time grammar (see `parseDateTimeMicros`). */
export function isDateTimeString(value: string): boolean {
  return parseDateTimeMicros(value) !== undefined;
}

function rangeBound(value: unknown, path: string): { value: RangeBound; kind: 'number' | 'datetime' } {
  if (typeof value === 'number' && Number.isFinite(value)) return { value, kind: 'number' };
  if (typeof value === 'string' && isDateTimeString(value)) return { value, kind: 'datetime' };
  fail(path, `expected a finite number or an RFC 3339 date-time string, got ${describe(value)}`);
}

function parseField(field: string, condition: unknown, path: string): FilterNode[] {
  if (field.length === 0) fail(path, 'field names must not be empty');
  if (!isPlainObject(condition)) {
    if (condition === null) fail(path, 'null is not a value to match; use { $exists: false }');
    if (Array.isArray(condition)) fail(path, 'an array is not a value to match; use { $in: [...] }');
    return [{ type: 'field', field, op: 'eq', value: scalar(condition, path) }];
  }
  const keys = Object.keys(condition);
  if (keys.length === 0) fail(path, 'an operator object needs at least one operator');
  const nodes: FieldNode[] = [];
  let rangeKind: 'number' | 'datetime' | undefined;
  for (const key of keys) {
    const opPath = `${path}.${key}`;
    const operand = condition[key];
    if (!FIELD_OPS.has(key)) {
      const hint = LOGICAL.has(key) ? ` (${key} combines whole filters; put it above the field)` : '';
      fail(opPath, `unknown operator "${key}"${hint}; expected one of ${[...FIELD_OPS].join(', ')}`);
    }
    switch (key) {
      case '$eq':
      case '$ne':
        nodes.push({ type: 'field', field, op: key === '$eq' ? 'eq' : 'ne', value: scalar(operand, opPath) });
        break;
      case '$in':
      case '$nin': {
        if (!Array.isArray(operand))
          fail(opPath, `${key} expects an array of values, got ${describe(operand)}`);
        const values = operand.map((v, i) => scalar(v, `${opPath}[${i}]`));
        nodes.push({ type: 'field', field, op: key === '$in' ? 'in' : 'nin', values });
        break;
      }
      case '$gt':
      case '$gte':
      case '$lt':
      case '$lte': {
        const bound = rangeBound(operand, opPath);
        if (rangeKind !== undefined && rangeKind !== bound.kind) {
          fail(opPath, `range bounds on "${field}" mix numbers and date-time strings`);
        }
        rangeKind = bound.kind;
        const op = key.slice(1) as 'gt' | 'gte' | 'lt' | 'lte';
        nodes.push({ type: 'field', field, op, value: bound.value, valueKind: bound.kind });
        break;
      }
      case '$exists':
        if (typeof operand !== 'boolean')
          fail(opPath, `$exists expects true or false, got ${describe(operand)}`);
        nodes.push({ type: 'field', field, op: 'exists', value: operand });
        break;
    }
  }
  return nodes;
}

function parseObject(filter: unknown, path: string, depth: number): FilterNode {
  if (depth > MAX_FILTER_DEPTH) fail(path, `filter nesting is deeper than ${MAX_FILTER_DEPTH} levels`);
  if (!isPlainObject(filter)) fail(path, `expected a filter object, got ${describe(filter)}`);
  const children: FilterNode[] = [];
  for (const key of Object.keys(filter)) {
    const value = filter[key];
    const keyPath = `${path}.${key}`;
    if (value === undefined) continue; // `{ year: undefined }` from optional fields: no condition
    if (key.startsWith('$')) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) {
          fail(keyPath, `${key} expects a non-empty array of filters, got ${describe(value)}`);
        }
        const parts = value.map((f, i) => parseObject(f, `${keyPath}[${i}]`, depth + 1));
        children.push({ type: key === '$and' ? 'and' : 'or', children: parts });
      } else if (key === '$not') {
        children.push({ type: 'not', child: parseObject(value, keyPath, depth + 1) });
      } else {
        const hint = FIELD_OPS.has(key) ? ` (${key} applies to a field: { field: { ${key}: ... } })` : '';
        fail(keyPath, `unknown operator "${key}"${hint}; expected $and, $or, $not or a field name`);
      }
    } else {
      children.push(...parseField(key, value, keyPath));
    }
  }
  if (children.length === 0) return { type: 'all' };
  if (children.length === 1) return children[0]!;
  return { type: 'and', children };
}

/**
 * Validates a filter and returns its AST. Anything wrong — unknown operator, `$in` without an
 * array, a non-finite number, mixed range types, nesting beyond MAX_FILTER_DEPTH — throws
 * `INVALID_FILTER` whose message and `details.path` name the offending place, e.g.
 * `filter.$or[1].year.$gt`.
 */
export function parseFilter(filter: unknown): FilterNode {
  if (filter === undefined || filter === null) return { type: 'all' };
  return parseObject(filter, 'filter', 0);
}
