import {
  type Filter,
  type Metadata,
  type MetadataScalar,
  type MetadataValue,
  type RetrieverRecord,
  seededRandom,
} from '@ragloom/core';

/**
 * Field names a filter must treat as data: SQL quoting and comment syntax, jsonb path syntax (`->`,
 * `{a,b}`), JSON-path syntax (`$.x[*]`), a dot, a backslash, a double quote, spaces and CJK.
 */
export const HOSTILE_FIELDS = [
  "it's",
  "'; DROP TABLE ragloom_manifests; --",
  'a"b',
  'a.b',
  'path.$[*] ? (@ > 1)',
  '{a,b}',
  'a->>b',
  'back\\slash',
  '空白 key',
  '',
] as const;

export const FIELDS = [
  'category',
  'year',
  'rating',
  'tags',
  'published',
  'date',
  'author',
  'mixed',
  'missing_field',
  ...HOSTILE_FIELDS.filter((f) => f !== ''),
] as const;

const DATES = [
  '2020-06-01T10:00:00Z',
  '2020-06-01 12:00:00+02',
  '2020-06-01t10:00:00z',
  '2020-06-01T10:00:00.000001Z',
  '2020-06-01T10:00:00.123456789Z',
  '2016-12-31T23:59:60Z',
  '2017-01-01',
  '2020-06-01T08:30:00-01:30',
  '2021-03-04T05:06',
  '2020-02-30', // not a date-time: no such day
  '2020-06-01T10:00Z', // not a date-time: a zone needs seconds
  'not a date',
];

const HOSTILE_VALUES = [
  "'; DROP TABLE x; --",
  "O'Brien",
  'a"b',
  '\\',
  '%',
  '_',
  '$1',
  '{}',
  '[]',
  'null',
  'true',
];

/** A seeded corpus whose metadata mixes every type the filter grammar distinguishes, under hostile keys too. */
export function filterCorpus(size: number, seed = 4242): RetrieverRecord[] {
  const random = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const records: RetrieverRecord[] = [];
  for (let i = 0; i < size; i++) {
    const metadata: Record<string, MetadataValue> = {};
    const maybe = (key: string, value: () => MetadataValue) => {
      if (random() < 0.8) metadata[key] = value();
    };
    maybe('category', () => pick(['news', 'science', 'sport', 'arts', 'News']));
    maybe('year', () => pick([2015, 2018, 2020, 2021, 2023, 2020.5, -1, 0]));
    maybe('rating', () => pick([1.5, 2.25, 3.75, 0.1, 1e21, -0.5, null]));
    maybe('tags', () =>
      pick([[], ['red'], ['red', 'green'], ['blue', 'gold', 'red'], [1, 'red', true], ['42']]),
    );
    maybe('published', () => pick([true, false, 'true', 1, null]));
    maybe('date', () => (random() < 0.3 ? [pick(DATES), pick(DATES)] : pick(DATES)));
    maybe('author', () => pick(['ana', 'bo', 'chen', null, [], ['ana', 'bo']]));
    maybe('mixed', () => pick([42, '42', 42.5, true, 'forty-two']));
    for (const field of HOSTILE_FIELDS) {
      if (random() < 0.4)
        metadata[field] = random() < 0.5 ? pick(HOSTILE_VALUES) : pick([1, 2, true, null, ['x', "O'Brien"]]);
    }
    records.push({
      id: `r-${String(i).padStart(4, '0')}`,
      text: `record ${i}`,
      metadata: metadata as Metadata,
      vector: Array.from({ length: 4 }, () => random() * 2 - 1),
    });
  }
  return records;
}

const SCALARS: readonly MetadataScalar[] = [
  'news',
  'News',
  'science',
  'red',
  'green',
  'gold',
  '42',
  42,
  42.5,
  2020,
  2020.5,
  0,
  -1,
  1.5,
  0.1,
  1e21,
  true,
  false,
  'true',
  1,
  'ana',
  'bo',
  ...HOSTILE_VALUES,
  'nul\u0000inside', // never storable: Postgres text cannot hold NUL
  'x',
];

const BOUNDS: readonly (number | string)[] = [
  2018,
  2020,
  2020.5,
  0,
  -0.5,
  1.5,
  2.25,
  1e21,
  '2020-06-01T10:00:00Z',
  '2020-06-01T10:00:00.000001Z',
  '2020-06-01T12:00:00+02',
  '2017-01-01T00:00:00Z',
  '2016-12-31T23:59:59.999999Z',
  '2020-06-01',
];

/** The scalars each field holds in a corpus, so random conditions mostly test values that occur. */
export function fieldValues(records: readonly RetrieverRecord[]): Map<string, MetadataScalar[]> {
  const values = new Map<string, MetadataScalar[]>();
  for (const record of records) {
    for (const [key, value] of Object.entries(record.metadata ?? {})) {
      const list = values.get(key) ?? [];
      for (const v of Array.isArray(value) ? value : [value]) if (v !== null) list.push(v as MetadataScalar);
      values.set(key, list);
    }
  }
  return values;
}

/**
 * A random nested filter over the corpus fields (and a field name holding NUL, which no record can have);
 * values come from the field's own values two times in three, from a pool of near misses and type
 * confusions otherwise.
 */
export function randomFilter(random: () => number, seen: Map<string, MetadataScalar[]>, depth = 0): Filter {
  const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
  const roll = random();
  if (depth < 3 && roll < 0.3) {
    const n = 1 + Math.floor(random() * 3);
    const children = Array.from({ length: n }, () => randomFilter(random, seen, depth + 1));
    const kind = pick(['$and', '$or', '$not'] as const);
    return kind === '$not' ? { $not: children[0]! } : { [kind]: children };
  }
  const field = random() < 0.03 ? 'nul\u0000field' : pick(FIELDS);
  const op = pick([
    'eq',
    'bare',
    '$ne',
    '$in',
    '$nin',
    '$gt',
    '$gte',
    '$lt',
    '$lte',
    '$exists',
    'range2',
  ] as const);
  const own = seen.get(field) ?? [];
  const scalar = () => (own.length > 0 && random() < 0.67 ? pick(own) : pick(SCALARS));
  switch (op) {
    case 'bare':
      return { [field]: scalar() } as Filter;
    case 'eq':
      return { [field]: { $eq: scalar() } } as Filter;
    case '$ne':
      return { [field]: { $ne: scalar() } } as Filter;
    case '$in':
    case '$nin':
      return { [field]: { [op]: Array.from({ length: Math.floor(random() * 4) }, scalar) } } as Filter;
    case '$exists':
      return { [field]: { $exists: random() < 0.5 } } as Filter;
    case 'range2': {
      const numeric = random() < 0.5;
      const pool = BOUNDS.filter((b) => (typeof b === 'number') === numeric);
      return { [field]: { $gte: pick(pool), $lt: pick(pool) } } as Filter;
    }
    default:
      return { [field]: { [op]: pick(BOUNDS) } } as Filter;
  }
}
