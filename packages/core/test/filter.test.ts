import { describe, expect, it } from 'vitest';
import {
  type Filter,
  isRagloomError,
  MAX_FILTER_DEPTH,
  type Metadata,
  matchesFilter,
  parseDateTime,
  parseFilter,
} from '../src/index.js';

function filterError(filter: unknown) {
  try {
    parseFilter(filter);
  } catch (error) {
    if (isRagloomError(error, 'INVALID_FILTER')) return error;
    throw error;
  }
  throw new Error(`expected INVALID_FILTER for ${JSON.stringify(filter)}`);
}

describe('filter validation', () => {
  it('rejects an unknown operator, naming the path', () => {
    const e = filterError({ year: { $gte: 2000, $between: [1, 2] } });
    expect(e.details.path).toBe('filter.year.$between');
    expect(e.message).toContain('filter.year.$between');
    expect(e.message).toContain('unknown operator');
  });

  it('rejects an unknown logical operator deep inside $or', () => {
    const e = filterError({ $or: [{ a: 1 }, { $xor: [{ b: 2 }] }] });
    expect(e.details.path).toBe('filter.$or[1].$xor');
  });

  it('rejects $in with a non-array', () => {
    const e = filterError({ $and: [{ tags: { $in: 'news' } }] });
    expect(e.details.path).toBe('filter.$and[0].tags.$in');
    expect(e.message).toMatch(/expects an array/);
  });

  it('rejects a range that mixes a number and a string', () => {
    const e = filterError({ year: { $gt: 2000, $lt: '2020-01-01' } });
    expect(e.details.path).toBe('filter.year.$lt');
    expect(e.message).toMatch(/mix numbers and date-time/);
  });

  it('rejects a range bound that is neither a number nor a date-time', () => {
    expect(filterError({ year: { $gt: 'abc' } }).details.path).toBe('filter.year.$gt');
    expect(filterError({ year: { $gt: true } }).details.path).toBe('filter.year.$gt');
    expect(filterError({ year: { $lte: Number.NaN } }).details.path).toBe('filter.year.$lte');
  });

  it('rejects nesting deeper than the limit', () => {
    let filter: Filter = { a: 1 };
    for (let i = 0; i <= MAX_FILTER_DEPTH; i++) filter = { $not: filter };
    const e = filterError(filter);
    expect(e.message).toMatch(new RegExp(`deeper than ${MAX_FILTER_DEPTH}`));
    expect(String(e.details.path)).toMatch(/^filter(\.\$not)+$/);
  });

  it('rejects other malformed shapes with the path', () => {
    expect(filterError([{ a: 1 }]).details.path).toBe('filter');
    expect(filterError({ $and: [] }).details.path).toBe('filter.$and');
    expect(filterError({ $or: {} }).details.path).toBe('filter.$or');
    expect(filterError({ a: null }).details.path).toBe('filter.a');
    expect(filterError({ a: [1, 2] }).details.path).toBe('filter.a');
    expect(filterError({ a: {} }).details.path).toBe('filter.a');
    expect(filterError({ a: { $exists: 'yes' } }).details.path).toBe('filter.a.$exists');
    expect(filterError({ a: { $in: [1, { b: 2 }] } }).details.path).toBe('filter.a.$in[1]');
    expect(filterError({ $eq: 3 }).details.path).toBe('filter.$eq');
    expect(filterError({ a: { $not: { $eq: 1 } } }).details.path).toBe('filter.a.$not');
  });

  it('builds the AST: implicit $and, implicit $eq, empty filter', () => {
    expect(parseFilter({})).toEqual({ type: 'all' });
    expect(parseFilter(undefined)).toEqual({ type: 'all' });
    expect(parseFilter({ a: 'x', b: { $gte: 2, $lt: 5 } })).toEqual({
      type: 'and',
      children: [
        { type: 'field', field: 'a', op: 'eq', value: 'x' },
        { type: 'field', field: 'b', op: 'gte', value: 2, valueKind: 'number' },
        { type: 'field', field: 'b', op: 'lt', value: 5, valueKind: 'number' },
      ],
    });
  });
});

describe('reference filter evaluator', () => {
  const doc = {
    lang: 'en',
    year: 2021,
    tags: ['news', 'science'],
    draft: false,
    score: 0.5,
    published: '2021-06-01T12:00:00Z',
    empty: [],
    nothing: null,
  };

  const cases: [Filter, boolean][] = [
    [{}, true],
    [{ lang: 'en' }, true],
    [{ lang: 'zh' }, false],
    [{ lang: { $ne: 'zh' } }, true],
    [{ missing: { $ne: 'x' } }, true], // $ne matches records without the field
    [{ tags: 'science' }, true], // array field: any element
    [{ tags: { $ne: 'science' } }, false],
    [{ tags: { $in: ['sport', 'news'] } }, true],
    [{ tags: { $nin: ['sport', 'news'] } }, false],
    [{ missing: { $nin: ['x'] } }, true],
    [{ missing: { $in: ['x'] } }, false],
    [{ year: { $gt: 2020, $lte: 2021 } }, true],
    [{ year: { $gt: 2021 } }, false],
    [{ year: { $gte: 2021 } }, true],
    [{ year: { $lt: 2021 } }, false],
    [{ lang: { $gt: 1 } }, false], // strings never satisfy numeric ranges
    [{ year: 2021.0 }, true],
    [{ year: '2021' }, false], // no type coercion
    [{ draft: false }, true],
    [{ draft: { $eq: true } }, false],
    [{ published: { $gte: '2021-01-01' } }, true],
    [{ published: { $lt: '2021-06-01T11:00:00Z' } }, false],
    [{ published: { $lt: '2021-06-01T14:00:00+01:00' } }, true], // compared as instants
    [{ lang: { $exists: true } }, true],
    [{ missing: { $exists: false } }, true],
    [{ empty: { $exists: false } }, true],
    [{ nothing: { $exists: false } }, true],
    [{ $or: [{ lang: 'zh' }, { year: 2021 }] }, true],
    [{ $and: [{ lang: 'en' }, { year: 2020 }] }, false],
    [{ $not: { lang: 'en' } }, false],
    [{ $not: { $or: [{ lang: 'zh' }, { draft: true }] } }, true],
  ];

  it.each(cases)('%j → %s', (filter, expected) => {
    expect(matchesFilter(filter, doc)).toBe(expected);
  });

  it('reads date-times without a zone as UTC on every machine', () => {
    expect(parseDateTime('2021-06-01T12:00:00')).toBe(Date.UTC(2021, 5, 1, 12));
    expect(parseDateTime('2021-06-01 12:00')).toBe(Date.UTC(2021, 5, 1, 12));
    expect(parseDateTime('2021-06-01')).toBe(Date.UTC(2021, 5, 1));
    expect(parseDateTime('2021-06-01T14:00:00+02:00')).toBe(Date.UTC(2021, 5, 1, 12));
    expect(parseDateTime('June 1, 2021')).toBeNaN();
    expect(matchesFilter({ at: { $gte: '2021-06-01T12:00:00Z' } }, { at: '2021-06-01T12:00:00' })).toBe(true);
    expect(matchesFilter({ at: { $gt: '2021-06-01T12:00:00Z' } }, { at: '2021-06-01T12:00:00' })).toBe(false);
  });

  it('treats undefined metadata as an empty record', () => {
    expect(matchesFilter({ a: { $exists: false } }, undefined)).toBe(true);
    expect(matchesFilter({ a: 1 }, undefined)).toBe(false);
  });
});

describe('filters read own properties only (field names like __proto__ and constructor)', () => {
  // Metadata as it arrives: JSON.parse makes "__proto__" an own data property, as does a computed key.
  const withProto = JSON.parse('{"__proto__": "x", "constructor": "builder"}') as Metadata;
  const plain: Metadata = { lang: 'en' };
  const inherited = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];

  it('an inherited property is not a field: $exists is false, $eq never matches, $ne always does', () => {
    for (const field of inherited) {
      expect(matchesFilter({ [field]: { $exists: true } }, plain), `${field} $exists true`).toBe(false);
      expect(matchesFilter({ [field]: { $exists: false } }, plain), `${field} $exists false`).toBe(true);
      expect(matchesFilter({ [field]: { $ne: 'x' } }, plain), `${field} $ne`).toBe(true);
      expect(matchesFilter({ [field]: { $nin: ['x'] } }, plain), `${field} $nin`).toBe(true);
    }
    expect(matchesFilter({ constructor: { $exists: true } }, Object.create(null) as Metadata)).toBe(false);
  });

  it('an own property of such a name is an ordinary field', () => {
    expect(matchesFilter(JSON.parse('{"__proto__": "x"}') as Filter, withProto)).toBe(true);
    expect(matchesFilter(JSON.parse('{"__proto__": "y"}') as Filter, withProto)).toBe(false);
    expect(matchesFilter(JSON.parse('{"__proto__": {"$exists": true}}') as Filter, withProto)).toBe(true);
    expect(matchesFilter({ constructor: 'builder' }, withProto)).toBe(true);
    expect(matchesFilter({ constructor: { $in: ['builder', 'other'] } }, withProto)).toBe(true);
    expect(matchesFilter({ toString: { $exists: true } }, withProto)).toBe(false);
  });

  it('a "__proto__" key that came over JSON stays a condition, never an empty (match-all) filter', () => {
    const filter = JSON.parse('{"__proto__": "x"}') as unknown;
    expect(parseFilter(filter)).toEqual({ type: 'field', field: '__proto__', op: 'eq', value: 'x' });
    expect(matchesFilter(filter as Filter, plain)).toBe(false);
    const nested = JSON.parse('{"$or": [{"__proto__": {"$exists": true}}, {"lang": "zh"}]}') as Filter;
    expect(matchesFilter(nested, plain)).toBe(false);
    expect(matchesFilter(nested, withProto)).toBe(true);
  });

  it('an operator object with an own "__proto__" key is refused, not read as its prototype', () => {
    const e = filterError(JSON.parse('{"year": {"__proto__": {"$gt": 1}}}'));
    expect(e.details.path).toBe('filter.year.__proto__');
  });
});
