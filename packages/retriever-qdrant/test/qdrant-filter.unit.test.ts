import { CONFORMANCE_FILTERS, conformanceCorpus } from '@ragloom/conformance';
import { compileFilter, type Filter, isRagloomError, type Metadata, parseFilter } from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import { metadataFieldPath, quotePayloadKey, translateFilter, translateFilterNode } from '../src/index.js';
import { evaluateFilter } from './support/qdrant-filter-semantics.js';

// Unit tests: the exact Qdrant JSON for every ragloom operator and nesting rule. Each expectation
// cites the Qdrant filtering docs (qdrant.tech/documentation/concepts/filtering) it relies on. The
// second half checks the semantics on data with a model of those documented rules; the real-server
// check is test/qdrant.integration.test.ts.

const key = (field: string) => `metadata.${field}`;
const json = (filter: Filter) => translateFilter(filter);

function expectCode(fn: () => unknown, code: string, text?: string) {
  try {
    fn();
  } catch (error) {
    expect(isRagloomError(error, code as never), String(error)).toBe(true);
    if (text) expect((error as Error).message).toContain(text);
    return;
  }
  throw new Error(`expected ${code}`);
}

describe('translateFilter (unit): one operator at a time', () => {
  it('no filter and {} match everything: no Qdrant filter is sent', () => {
    expect(translateFilter(undefined)).toEqual({ kind: 'all' });
    expect(json({})).toEqual({ kind: 'all' });
  });

  it('$eq / bare scalar: match.value for strings, integers and booleans', () => {
    // "The simplest kind of condition is one that checks if the stored value equals the given one.
    // If several values are stored, at least one of them should match the condition. You can apply
    // it to keyword, integer and bool payloads." — core's eq on an array is any element.
    expect(json({ category: 'news' })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('category'), match: { value: 'news' } }] },
    });
    expect(json({ year: { $eq: 2020 } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('year'), match: { value: 2020 } }] },
    });
    expect(json({ published: false })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('published'), match: { value: false } }] },
    });
  });

  it('$eq on a non-integer (or unsafe integer) number: a closed range, since match takes no floats', () => {
    // Range "Can be applied to float and integer payloads"; [v, v] is exact equality.
    expect(json({ rating: 2.25 })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('rating'), range: { gte: 2.25, lte: 2.25 } }] },
    });
    expect(json({ big: 2 ** 60 })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('big'), range: { gte: 2 ** 60, lte: 2 ** 60 } }] },
    });
    expect(json({ negative: -0.5 })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('negative'), range: { gte: -0.5, lte: -0.5 } }] },
    });
  });

  it('$ne: must_not around the equality (true for missing and null fields, like core)', () => {
    // must_not: "the clause becomes true if none of the conditions listed inside is satisfied".
    expect(json({ category: { $ne: 'news' } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ key: key('category'), match: { value: 'news' } }] },
    });
    expect(json({ rating: { $ne: 2.5 } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ key: key('rating'), range: { gte: 2.5, lte: 2.5 } }] },
    });
  });

  it('$in with strings or integers: match.any', () => {
    // Match Any: "If the stored value is an array, it should have at least one value matching any
    // of the given values".
    expect(json({ category: { $in: ['sport', 'arts'] } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('category'), match: { any: ['sport', 'arts'] } }] },
    });
    expect(json({ year: { $in: [2016, 2020, 2016] } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('year'), match: { any: [2016, 2020] } }] },
    });
  });

  it('$in with mixed types: should over one any per type, ranges for floats, match.value per boolean', () => {
    // MatchAny takes "(string)[] | (integer)[]" — not booleans, floats, or both kinds in one list.
    expect(json({ mixed: { $in: [1, 'a', 2.5, true, 'b', false, 2] } })).toEqual({
      kind: 'filter',
      filter: {
        should: [
          { key: key('mixed'), match: { any: ['a', 'b'] } },
          { key: key('mixed'), match: { any: [1, 2] } },
          { key: key('mixed'), range: { gte: 2.5, lte: 2.5 } },
          { key: key('mixed'), match: { value: true } },
          { key: key('mixed'), match: { value: false } },
        ],
      },
    });
    expect(json({ published: { $in: [false] } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('published'), match: { value: false } }] },
    });
  });

  it('$in: [] matches nothing and $nin: [] matches everything', () => {
    expect(json({ category: { $in: [] } })).toEqual({ kind: 'none' });
    expect(json({ category: { $nin: [] } })).toEqual({ kind: 'all' });
  });

  it('$nin: must_not of the $in conditions — never match.except', () => {
    // Match Except: "If the stored value is an array, it should have at least one value not
    // matching" — ["red","green"] passes except ["red"], and a missing field fails it; core's $nin
    // is "no element in the set" and passes a missing field.
    expect(json({ tags: { $nin: ['red'] } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ key: key('tags'), match: { any: ['red'] } }] },
    });
    expect(json({ mixed: { $nin: [true, 'x', 1.5] } })).toEqual({
      kind: 'filter',
      filter: {
        must_not: [
          { key: key('mixed'), match: { any: ['x'] } },
          { key: key('mixed'), match: { value: true } },
          { key: key('mixed'), range: { gte: 1.5, lte: 1.5 } },
        ],
      },
    });
    expect(JSON.stringify(json({ tags: { $nin: ['a', 'b'] } }))).not.toContain('except');
  });

  it('$gt / $gte / $lt / $lte on numbers: range', () => {
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) {
      expect(json({ year: { [`$${op}`]: 2019 } })).toEqual({
        kind: 'filter',
        filter: { must: [{ key: key('year'), range: { [op]: 2019 } }] },
      });
    }
  });

  it('two bounds on one field stay two range conditions (core tests each bound on its own)', () => {
    // On [2015, 2023] core's {$gte: 2017, $lt: 2021} holds (2023 ≥ 2017, 2015 < 2021), but one
    // Qdrant range with both bounds needs one element inside [2017, 2021).
    expect(json({ year: { $gte: 2017, $lt: 2021 } })).toEqual({
      kind: 'filter',
      filter: {
        must: [
          { key: key('year'), range: { gte: 2017 } },
          { key: key('year'), range: { lt: 2021 } },
        ],
      },
    });
  });

  it('date-time bounds: a datetime range with the bound as the same instant in RFC 3339 UTC', () => {
    // Datetime Range: "supports RFC 3339 formats … During comparison, timestamps are parsed and
    // converted to UTC."
    expect(json({ date: { $gte: '2020-06-01T00:00:00Z' } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('date'), range: { gte: '2020-06-01T00:00:00.000000Z' } }] },
    });
    expect(json({ date: { $lt: '2020-03-15' } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('date'), range: { lt: '2020-03-15T00:00:00.000000Z' } }] },
    });
    expect(json({ date: { $lte: '2020-03-15T10:30:00+02:00' } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('date'), range: { lte: '2020-03-15T08:30:00.000000Z' } }] },
    });
  });

  it('date-time bounds follow the one grammar (RFC 3339 as Qdrant parses it): +02 offsets, leap seconds, microseconds', () => {
    const bound = (value: string) => {
      const translation = json({ date: { $gte: value } });
      return translation.kind === 'filter'
        ? JSON.stringify(translation.filter.must).match(/"gte":"([^"]+)"/)?.[1]
        : undefined;
    };
    expect(bound('2020-06-01T12:00:00+02')).toBe('2020-06-01T10:00:00.000000Z');
    expect(bound('2020-06-01 12:00:00+0200')).toBe('2020-06-01T10:00:00.000000Z');
    expect(bound('2016-12-31T23:59:60Z')).toBe('2017-01-01T00:00:00.000000Z');
    expect(bound('2020-06-01T10:00:00.123456789Z')).toBe('2020-06-01T10:00:00.123456Z');
    // Not date-times for Qdrant, so not for ragloom: rejected before anything is sent.
    for (const value of ['2020-06-01T10:00Z', '2020-02-30', '2020-06-01T24:00:00Z']) {
      expectCode(() => translateFilter({ date: { $gte: value } }), 'INVALID_FILTER', 'RFC 3339');
    }
  });

  it('integer-indexed fields: fractional bounds become the integer bounds that select the same integers', () => {
    const integerFields = new Set(['year']);
    const ranges = (filter: Filter) =>
      JSON.parse(JSON.stringify(translateFilter(filter, { integerFields }))) as { filter: unknown };
    expect(ranges({ year: { $gt: 2019.5, $lte: 2021.5 } }).filter).toEqual({
      must: [
        { key: key('year'), range: { gte: 2020 } },
        { key: key('year'), range: { lte: 2021 } },
      ],
    });
    expect(ranges({ year: { $lt: -0.5 } }).filter).toEqual({
      must: [{ key: key('year'), range: { lte: -1 } }],
    });
    // equality with a fraction: an empty range, as no integer equals it
    expect(ranges({ year: 2020.5 }).filter).toEqual({
      must: [{ key: key('year'), range: { gte: 2021, lte: 2020 } }],
    });
    // other fields keep their fractional bounds
    expect(ranges({ rating: { $gt: 2.5 } }).filter).toEqual({
      must: [{ key: key('rating'), range: { gt: 2.5 } }],
    });
  });

  it('$exists: is_empty, and must_not is_empty', () => {
    // Is Empty: "will match all records where the field either does not exist, or has null or []
    // value" — core's $exists: false exactly.
    expect(json({ tags: { $exists: false } })).toEqual({
      kind: 'filter',
      filter: { must: [{ is_empty: { key: key('tags') } }] },
    });
    expect(json({ tags: { $exists: true } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ is_empty: { key: key('tags') } }] },
    });
  });
});

describe('translateFilter (unit): nesting and combination rules', () => {
  it('keys of one object are ANDed; negative conditions merge into the same must_not', () => {
    expect(
      json({ category: 'news', year: { $ne: 2020 }, tags: { $exists: true }, rating: { $gt: 2 } }),
    ).toEqual({
      kind: 'filter',
      filter: {
        must: [
          { key: key('category'), match: { value: 'news' } },
          { key: key('rating'), range: { gt: 2 } },
        ],
        must_not: [{ key: key('year'), match: { value: 2020 } }, { is_empty: { key: key('tags') } }],
      },
    });
  });

  it('$and flattens into one must; $or becomes should', () => {
    expect(json({ $and: [{ published: true }, { $and: [{ tags: 'red' }, { year: 2020 }] }] })).toEqual({
      kind: 'filter',
      filter: {
        must: [
          { key: key('published'), match: { value: true } },
          { key: key('tags'), match: { value: 'red' } },
          { key: key('year'), match: { value: 2020 } },
        ],
      },
    });
    // Should: "the clause becomes true if at least one condition listed inside should is satisfied".
    expect(json({ $or: [{ category: 'news' }, { year: { $gte: 2023 } }] })).toEqual({
      kind: 'filter',
      filter: {
        should: [
          { key: key('category'), match: { value: 'news' } },
          { key: key('year'), range: { gte: 2023 } },
        ],
      },
    });
  });

  it('$or next to field conditions nests as a should filter inside must', () => {
    expect(json({ lang: 'zh', $or: [{ category: 'news' }, { tags: { $in: ['red', 'blue'] } }] })).toEqual({
      kind: 'filter',
      filter: {
        must: [
          { key: key('lang'), match: { value: 'zh' } },
          {
            should: [
              { key: key('category'), match: { value: 'news' } },
              { key: key('tags'), match: { any: ['red', 'blue'] } },
            ],
          },
        ],
      },
    });
  });

  it('$not: must_not; ¬(a ∨ b) flattens to must_not [a, b]; ¬¬x = x', () => {
    expect(json({ $not: { category: 'news' } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ key: key('category'), match: { value: 'news' } }] },
    });
    expect(json({ $not: { $or: [{ category: 'news' }, { published: false }] } })).toEqual({
      kind: 'filter',
      filter: {
        must_not: [
          { key: key('category'), match: { value: 'news' } },
          { key: key('published'), match: { value: false } },
        ],
      },
    });
    expect(json({ $not: { $not: { category: 'news' } } })).toEqual(json({ category: 'news' }));
    // "Also, the conditions could be recursively nested": a negated AND is a nested must filter.
    expect(json({ $not: { category: 'news', published: true } })).toEqual({
      kind: 'filter',
      filter: {
        must_not: [
          {
            must: [
              { key: key('category'), match: { value: 'news' } },
              { key: key('published'), match: { value: true } },
            ],
          },
        ],
      },
    });
  });

  it('negated ne / nin / exists become their positive twins', () => {
    expect(json({ $not: { category: { $ne: 'news' } } })).toEqual(json({ category: 'news' }));
    expect(json({ $not: { tags: { $nin: ['red', 'gold'] } } })).toEqual(
      json({ tags: { $in: ['red', 'gold'] } }),
    );
    expect(json({ $not: { author: { $exists: true } } })).toEqual(json({ author: { $exists: false } }));
  });

  it('a deep mix of or / and / not', () => {
    expect(
      json({
        $or: [
          { $and: [{ category: 'arts' }, { rating: { $gte: 3 } }] },
          { $not: { author: { $exists: true } } },
        ],
      }),
    ).toEqual({
      kind: 'filter',
      filter: {
        should: [
          {
            must: [
              { key: key('category'), match: { value: 'arts' } },
              { key: key('rating'), range: { gte: 3 } },
            ],
          },
          { is_empty: { key: key('author') } },
        ],
      },
    });
  });

  it('constant parts fold away: {} is true, $in: [] is false, through and / or / not', () => {
    expect(json({ $not: {} })).toEqual({ kind: 'none' });
    expect(json({ $or: [{}, { category: 'news' }] })).toEqual({ kind: 'all' });
    expect(json({ $and: [{ tags: { $in: [] } }, { category: 'news' }] })).toEqual({ kind: 'none' });
    expect(json({ $or: [{ tags: { $in: [] } }, { category: 'news' }] })).toEqual(json({ category: 'news' }));
    expect(json({ $not: { tags: { $in: [] } } })).toEqual({ kind: 'all' });
    expect(json({ $and: [{}, { category: 'news' }] })).toEqual(json({ category: 'news' }));
  });

  it('translates a parsed AST as well (translateFilterNode)', () => {
    const filter: Filter = { year: { $gte: 2017, $lt: 2021 }, $or: [{ tags: 'red' }, { lang: 'zh' }] };
    expect(translateFilterNode(parseFilter(filter))).toEqual(translateFilter(filter));
  });
});

describe('translateFilter (unit): field paths and errors', () => {
  it('metadata fields are addressed under the metadata key, quoted when not plain', () => {
    expect(metadataFieldPath('year')).toBe('metadata.year');
    expect(metadataFieldPath('snake_case-1')).toBe('metadata.snake_case-1');
    // Qdrant's JSON path: unquoted keys are Unicode alphanumerics, _ and - (Rust's char::is_alphanumeric,
    // json_path/parse.rs); others go in double quotes — and Qdrant prints paths the same way.
    expect(metadataFieldPath('a.b')).toBe('metadata."a.b"');
    expect(metadataFieldPath('tags[]')).toBe('metadata."tags[]"');
    expect(metadataFieldPath('作者')).toBe('metadata.作者');
    expect(metadataFieldPath('année_2')).toBe('metadata.année_2');
    expect(metadataFieldPath('名前 (かな)')).toBe('metadata."名前 (かな)"');
    expect(metadataFieldPath('with space')).toBe('metadata."with space"');
    expect(translateFilter({ 'a.b': 1 }, { metadataKey: 'meta' })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: 'meta."a.b"', match: { value: 1 } }] },
    });
  });

  it('field names like __proto__ and constructor are plain payload keys, kept when they come over JSON', () => {
    expect(json(JSON.parse('{"__proto__": "x"}') as Filter)).toEqual({
      kind: 'filter',
      filter: { must: [{ key: key('__proto__'), match: { value: 'x' } }] },
    });
    expect(json({ constructor: { $exists: true } })).toEqual({
      kind: 'filter',
      filter: { must_not: [{ is_empty: { key: key('constructor') } }] },
    });
    expect(json({ toString: { $in: ['a', 'b'] }, hasOwnProperty: true })).toEqual({
      kind: 'filter',
      filter: {
        must: [
          { key: key('toString'), match: { any: ['a', 'b'] } },
          { key: key('hasOwnProperty'), match: { value: true } },
        ],
      },
    });
    // What goes over the wire names the field.
    const body = JSON.stringify(
      json(JSON.parse('{"$or": [{"__proto__": {"$exists": false}}, {"a": 1}]}') as Filter),
    );
    expect(body).toContain('"key":"metadata.__proto__"');
  });

  it('a key Qdrant cannot quote is UNSUPPORTED, naming the field', () => {
    expectCode(() => quotePayloadKey('say "hi"'), 'UNSUPPORTED', 'say \\"hi\\"');
    expectCode(() => translateFilter({ 'back\\slash': 1 }), 'UNSUPPORTED');
  });

  it('invalid filters are INVALID_FILTER from core, with the path', () => {
    expectCode(
      () => translateFilter({ year: { $between: [1, 2] } } as unknown as Filter),
      'INVALID_FILTER',
      '$between',
    );
    expectCode(() => translateFilter({ $or: [] } as unknown as Filter), 'INVALID_FILTER', 'filter.$or');
    expectCode(
      () => translateFilter({ year: { $gt: 'soon' } } as unknown as Filter),
      'INVALID_FILTER',
      'filter.year.$gt',
    );
  });
});

describe('translateFilter (unit): selects what core selects, under Qdrant’s documented semantics', () => {
  const corpus = conformanceCorpus();
  const payloads = corpus.map((r) => ({ id: r.id, text: r.text, metadata: r.metadata }));

  const selectedByQdrant = (filter: Filter) => {
    const t = translateFilter(filter);
    if (t.kind === 'none') return [];
    return payloads
      .filter((p) => evaluateFilter(t.kind === 'filter' ? t.filter : undefined, p as never))
      .map((p) => p.id);
  };
  const selectedByCore = (filter: Filter) => {
    const predicate = compileFilter(filter);
    return payloads.filter((p) => predicate(p.metadata as Metadata)).map((p) => p.id);
  };

  it('every conformance filter', () => {
    for (const filter of CONFORMANCE_FILTERS) {
      expect(selectedByQdrant(filter), JSON.stringify(filter)).toEqual(selectedByCore(filter));
    }
  });

  it('500 random nested filters over every operator and field', () => {
    let seed = 12345;
    const random = () => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
    const values: Record<string, readonly (string | number | boolean)[]> = {
      category: ['news', 'science', 'sport', 'arts', 'none'],
      year: [2015, 2017, 2019, 2020, 2024, 2019.5],
      published: [true, false],
      rating: [1.5, 2.25, 2.5, 3, 4.5],
      tags: ['red', 'green', 'blue', 'gold', 'pink'],
      author: ['ana', 'bo', 'chen', 'dara'],
      mixed: [42, '42', 41, 'x'],
      missing_field: ['x', 1],
    };
    const fields = Object.keys(values);
    const leaf = (): Filter => {
      const field = pick(fields);
      const v = () => pick(values[field]!);
      switch (pick(['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'exists', 'date'])) {
        case 'eq':
          return { [field]: v() };
        case 'ne':
          return { [field]: { $ne: v() } };
        case 'in':
          return { [field]: { $in: [v(), v()] } };
        case 'nin':
          return { [field]: { $nin: [v(), v()] } };
        case 'exists':
          return { [field]: { $exists: random() < 0.5 } };
        case 'date':
          return {
            date: {
              [pick(['$gt', '$gte', '$lt', '$lte'])]: pick([
                '2020-03-04T05:00:00Z',
                '2020-06-15',
                '2020-09-01T12:00:00+05:00',
              ]),
            },
          };
        default: {
          const op = pick(['$gt', '$gte', '$lt', '$lte']);
          return { [pick(['year', 'rating', 'mixed'])]: { [op]: pick([2, 2.3, 42, 2018, 2020]) } };
        }
      }
    };
    const node = (depth: number): Filter => {
      const r = random();
      if (depth >= 3 || r < 0.4) return leaf();
      if (r < 0.6) return { $and: [node(depth + 1), node(depth + 1)] };
      if (r < 0.8) return { $or: [node(depth + 1), node(depth + 1), node(depth + 1)] };
      return { $not: node(depth + 1) };
    };
    let nonTrivial = 0;
    for (let i = 0; i < 500; i++) {
      const filter = node(0);
      const expected = selectedByCore(filter);
      if (expected.length > 0 && expected.length < corpus.length) nonTrivial++;
      expect(selectedByQdrant(filter), JSON.stringify(filter)).toEqual(expected);
    }
    expect(nonTrivial).toBeGreaterThan(200);
  });

  it('the model is strict enough to catch the translations this module avoids', () => {
    // match.except differs from core's $nin on arrays and missing fields…
    const except = { must: [{ key: key('tags'), match: { except: ['red'] } }] };
    const viaExcept = payloads.filter((p) => evaluateFilter(except, p as never)).map((p) => p.id);
    expect(viaExcept).not.toEqual(selectedByCore({ tags: { $nin: ['red'] } }));
    // …and one range with both bounds differs from core's per-bound test on arrays.
    const arrays = [{ metadata: { years: [2015, 2023] } }];
    const merged = { must: [{ key: key('years'), range: { gte: 2017, lt: 2021 } }] };
    expect(evaluateFilter(merged, arrays[0] as never)).toBe(false);
    const t = translateFilter({ years: { $gte: 2017, $lt: 2021 } });
    expect(t.kind === 'filter' && evaluateFilter(t.filter, arrays[0] as never)).toBe(true);
    expect(compileFilter({ years: { $gte: 2017, $lt: 2021 } })(arrays[0]!.metadata)).toBe(true);
  });
});
