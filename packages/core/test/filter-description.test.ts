import { describe, expect, test } from 'vitest';
import { FILTER_EXAMPLES, FILTER_GRAMMAR_DESCRIPTION, matchesFilter, parseFilter } from '../src/index.js';

describe('FILTER_GRAMMAR_DESCRIPTION', () => {
  test('every example it shows a model is a valid filter that selects what it says', () => {
    for (const filter of FILTER_EXAMPLES) {
      expect(() => parseFilter(filter)).not.toThrow();
      expect(FILTER_GRAMMAR_DESCRIPTION).toContain(JSON.stringify(filter));
    }
    const [byDocument, rangeAndOr, negation] = FILTER_EXAMPLES;
    expect(matchesFilter(byDocument!, { documentId: 'guide.md' })).toBe(true);
    expect(matchesFilter(byDocument!, { documentId: 'other.md' })).toBe(false);
    expect(matchesFilter(rangeAndOr!, { year: 2021, tags: ['ja'] })).toBe(true);
    expect(matchesFilter(rangeAndOr!, { year: 2021, lang: 'de' })).toBe(false);
    expect(matchesFilter(rangeAndOr!, { year: 2019, lang: 'en' })).toBe(false);
    expect(matchesFilter(negation!, { status: 'draft' })).toBe(false);
    expect(matchesFilter(negation!, { status: 'final' })).toBe(true);
  });

  test('names every operator of the grammar', () => {
    for (const op of [
      '$eq',
      '$ne',
      '$in',
      '$nin',
      '$gt',
      '$gte',
      '$lt',
      '$lte',
      '$exists',
      '$and',
      '$or',
      '$not',
    ])
      expect(FILTER_GRAMMAR_DESCRIPTION).toContain(op);
  });
});
