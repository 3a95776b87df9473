import type { Filter, MetadataValue, RetrieverRecord } from '@ragloom/core';
import { randomVector, seededRandom } from '../shared/seeded-random.js';

/** Words that are not stopwords and keep distinct stems under Porter stemming, so "contains the word" = "matches". */
export const CORPUS_WORDS = [
  'apple',
  'river',
  'mountain',
  'violin',
  'galaxy',
  'harbor',
  'lantern',
  'meadow',
  'puzzle',
  'rocket',
  'copper',
  'falcon',
  'glacier',
  'orchid',
  'pepper',
  'saddle',
  'tunnel',
  'walnut',
] as const;

/** Every corpus text contains this word, so a text query for it reaches every record. */
export const COMMON_WORD = 'record';

export const CORPUS_DIMENSION = 8;
export const CORPUS_SIZE = 40;

/** A retriever record with every field present, its vector a plain array (as JSON carries it). */
export type CorpusRecord = Required<Omit<RetrieverRecord, 'vector'>> & { readonly vector: number[] };

const CHINESE = [
  '北京是中国的首都',
  '长江是中国最长的河流',
  '熊猫生活在四川的山里',
  '上海有很多高楼',
  '茶起源于中国',
];

/**
 * Sets an own, enumerable field — also `__proto__`, which an assignment or an object literal would
 * take as the prototype — as JSON.parse does when metadata arrives over the wire.
 */
function ownField(metadata: Record<string, MetadataValue>, name: string, value: MetadataValue): void {
  Object.defineProperty(metadata, name, { value, enumerable: true, writable: true, configurable: true });
}

/** A filter on one field, built so that `__proto__` is a field name, not the object's prototype. */
function onField(name: string, condition: Filter[string]): Filter {
  return Object.fromEntries([[name, condition]]) as Filter;
}

/**
 * The fixed corpus every retriever is tested on: metadata with strings, integers, non-integer
 * numbers, booleans, arrays (including empty), ISO date-times, nulls and missing fields, a field
 * that holds the number 42 in some records and the string '42' in others, and fields named like
 * Object.prototype properties (`constructor`, `toString`, `hasOwnProperty`, `__proto__`).
 */
export function conformanceCorpus(): CorpusRecord[] {
  const random = seededRandom(20241124);
  const records: CorpusRecord[] = [];
  for (let i = 0; i < CORPUS_SIZE; i++) {
    const metadata: Record<string, MetadataValue> = {
      category: ['news', 'science', 'sport', 'arts'][i % 4]!,
      year: 2015 + ((i * 7) % 10),
      published: i % 2 === 0,
      lang: i % 8 === 7 ? 'zh' : 'en',
      mixed: i % 7 === 0 ? 42 : '42',
    };
    if (i % 3 !== 0) metadata.rating = [1.5, 2.25, 3.75, 4.5, 2.5][i % 5]!;
    if (i % 5 === 0) metadata.tags = [];
    else if (i % 5 !== 1) {
      const colours = ['red', 'green', 'blue', 'gold'];
      metadata.tags = i % 2 === 0 ? [colours[i % 4]!] : [colours[i % 4]!, colours[(i + 1) % 4]!];
    }
    if (i % 4 !== 3) {
      const month = String(1 + (i % 12)).padStart(2, '0');
      const day = String(1 + ((i * 3) % 28)).padStart(2, '0');
      metadata.date = `2020-${month}-${day}T${String(i % 24).padStart(2, '0')}:00:00Z`;
    }
    if (i % 6 === 0) metadata.author = null;
    else if (i % 6 !== 1) metadata.author = ['ana', 'bo', 'chen', 'dara'][i % 4]!;
    // Names of Object.prototype properties are ordinary fields, present only in the records that have them.
    if (i % 9 === 2) ownField(metadata, 'constructor', i % 2 === 0 ? 'builder' : 'maker');
    if (i % 11 === 4) ownField(metadata, 'toString', 'text');
    if (i % 6 === 5) ownField(metadata, 'hasOwnProperty', i % 12 === 5);
    if (i % 10 === 3 || i % 10 === 8) ownField(metadata, '__proto__', i % 10 === 3 ? 'proto-a' : 'proto-b');

    const words = [0, 1, 2].map(() => CORPUS_WORDS[Math.floor(random() * CORPUS_WORDS.length)]!);
    const text =
      metadata.lang === 'zh'
        ? `${COMMON_WORD} ${words.join(' ')} ${CHINESE[(i >> 3) % CHINESE.length]}`
        : `${COMMON_WORD} ${words.join(' ')}`;
    records.push({
      id: `doc-${String(i).padStart(2, '0')}`,
      text,
      metadata,
      vector: randomVector(random, CORPUS_DIMENSION),
    });
  }
  return records;
}

/** Filters covering every operator, the array/missing/null/mixed-type rules and nested logic. */
export const CONFORMANCE_FILTERS: readonly Filter[] = [
  {},
  { category: 'news' },
  { category: { $eq: 'science' } },
  { category: { $ne: 'news' } },
  { category: { $in: ['sport', 'arts'] } },
  { category: { $nin: ['sport', 'arts'] } },
  { year: { $gt: 2019 } },
  { year: { $gte: 2019 } },
  { year: { $lt: 2018 } },
  { year: { $lte: 2018 } },
  { year: { $gte: 2017, $lt: 2021 } },
  { year: { $in: [2016, 2020] } },
  { rating: 2.25 },
  { rating: { $gt: 2.3 } },
  { rating: { $lte: 2.5 } },
  { rating: { $in: [1.5, 4.5] } },
  { rating: { $exists: false } },
  { tags: 'red' },
  { tags: { $in: ['gold', 'blue'] } },
  { tags: { $nin: ['red'] } },
  { tags: { $ne: 'green' } },
  { tags: { $exists: true } },
  { tags: { $exists: false } },
  { published: true },
  { published: { $ne: true } },
  { published: { $in: [false] } },
  { date: { $gte: '2020-06-01T00:00:00Z' } },
  { date: { $lt: '2020-03-15' } },
  { date: { $exists: false } },
  { author: { $exists: false } },
  { author: { $exists: true } },
  { author: { $in: ['ana', 'chen'] } },
  { author: { $ne: 'bo' } },
  { author: 'ana', category: 'news' },
  { mixed: 42 },
  { mixed: '42' },
  { mixed: { $gt: 10 } },
  { missing_field: 'x' },
  { missing_field: { $ne: 'x' } },
  { missing_field: { $nin: ['x'] } },
  { lang: 'zh' },
  { category: 'science', published: true },
  { $or: [{ category: 'news' }, { year: { $gte: 2023 } }] },
  { $and: [{ published: true }, { tags: 'red' }] },
  { $not: { category: 'news' } },
  { $not: { $or: [{ category: 'news' }, { published: false }] } },
  {
    $or: [{ $and: [{ category: 'arts' }, { rating: { $gte: 3 } }] }, { $not: { author: { $exists: true } } }],
  },
  // Own properties only: an inherited `constructor` or `toString` is no field of any record.
  { constructor: { $exists: true } },
  { constructor: { $exists: false } },
  { constructor: 'builder' },
  { constructor: { $in: ['maker', 'nobody'] } },
  { toString: { $exists: true } },
  { toString: { $ne: 'text' } },
  { hasOwnProperty: true },
  { hasOwnProperty: { $exists: false } },
  { valueOf: { $exists: true } },
  { isPrototypeOf: { $nin: ['x'] } },
  onField('__proto__', 'proto-a'),
  onField('__proto__', { $exists: true }),
  onField('__proto__', { $exists: false }),
  onField('__proto__', { $nin: ['proto-b'] }),
  { $or: [{ constructor: 'maker' }, onField('__proto__', 'proto-b')] },
];

/** Filters for the exact filtered top-k check, from unfiltered to very selective. */
export const TOP_K_FILTERS: readonly Filter[] = [
  {},
  { category: 'news' },
  { year: { $gte: 2019 } },
  { tags: { $in: ['red', 'blue'] } },
  { $not: { published: true } },
  { author: 'ana', category: 'news' },
  onField('__proto__', { $exists: true }),
];
