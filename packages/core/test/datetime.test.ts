import { describe, expect, it } from 'vitest';
import {
  formatDateTimeMicros,
  isDateTimeString,
  matchesFilter,
  parseDateTime,
  parseDateTimeMicros,
  parseFilter,
} from '../src/index.js';

const utc = (...parts: Parameters<typeof Date.UTC>) => BigInt(Date.UTC(...parts)) * 1000n;

// Each accepted form and the chrono 0.4 parser of Qdrant's DateTimeWrapper::from_str that reads it
// (lib/segment/src/types.rs): rfc3339 = parse_from_rfc3339, relaxed = DateTime::from_str,
// %#z = "%Y-%m-%dT%H:%M:%S%.f%#z" (and the space variant), naive = the NaiveDateTime/NaiveDate formats.
const ACCEPTED: readonly [string, bigint, string][] = [
  ['2020-06-01', utc(2020, 5, 1), 'naive %Y-%m-%d'],
  ['2020-06-01T10:00', utc(2020, 5, 1, 10), 'naive %H:%M'],
  ['2020-06-01 10:00', utc(2020, 5, 1, 10), 'naive, space'],
  ['2020-06-01T10:00:00', utc(2020, 5, 1, 10), 'naive %S'],
  ['2020-06-01 10:00:00.5', utc(2020, 5, 1, 10, 0, 0, 500), 'naive %.f'],
  ['2020-06-01T10:00:00Z', utc(2020, 5, 1, 10), 'rfc3339'],
  ['2020-06-01t10:00:00z', utc(2020, 5, 1, 10), 'rfc3339, lower case'],
  ['2020-06-01 10:00:00Z', utc(2020, 5, 1, 10), 'rfc3339, space'],
  ['2020-06-01T12:00:00+02:00', utc(2020, 5, 1, 10), 'rfc3339 offset'],
  ['2020-06-01T08:30:00-01:30', utc(2020, 5, 1, 10), 'negative offset'],
  ['2020-06-01T08:30:00\u221201:30', utc(2020, 5, 1, 10), 'U+2212 minus sign'],
  ['2020-06-01T12:00:00+0200', utc(2020, 5, 1, 10), 'relaxed ±HHMM'],
  ['2020-06-01t12:00:00+0200', utc(2020, 5, 1, 10), 'relaxed ±HHMM, lower-case t'],
  ['2020-06-01T12:00:00+02', utc(2020, 5, 1, 10), '%#z ±HH'],
  ['2020-06-01 12:00:00.25+02', utc(2020, 5, 1, 10, 0, 0, 250), '%#z ±HH, space (Postgres text)'],
  ['2016-12-31T23:59:60Z', utc(2017, 0, 1), 'leap second = the next second, as timestamp_micros'],
  ['2016-12-31T23:59:60.5Z', utc(2017, 0, 1) + 500_000n, 'leap second with a fraction'],
  ['2020-02-29T00:00:00Z', utc(2020, 1, 29), 'leap day'],
  ['2000-02-29', utc(2000, 1, 29), 'leap day in a year divisible by 400'],
  ['0000-01-01', -62_167_219_200_000_000n, 'year 0 (proleptic Gregorian)'],
  ['9999-12-31T23:59:59.999999Z', 253_402_300_799_999_999n, 'the last microsecond'],
];

const MICROSECONDS: readonly [string, bigint][] = [
  ['2020-06-01T10:00:00.123456Z', utc(2020, 5, 1, 10) + 123_456n],
  ['2020-06-01T10:00:00.1234567Z', utc(2020, 5, 1, 10) + 123_456n], // cut, not rounded
  ['2020-06-01T10:00:00.123456999999Z', utc(2020, 5, 1, 10) + 123_456n],
  ['2020-06-01T10:00:00.000001', utc(2020, 5, 1, 10) + 1n],
];

const REJECTED: readonly [string, string][] = [
  ['2020-06-01T10:00Z', 'a zone needs seconds (no Qdrant parser reads it)'],
  ['2020-06-01T10:00+02:00', 'a zone needs seconds'],
  ['2020-02-30', 'no such day (not rolled over into March)'],
  ['2021-02-29T00:00:00Z', 'not a leap year'],
  ['1900-02-29', 'not a leap year (divisible by 100)'],
  ['2020-13-01', 'month 13'],
  ['2020-06-01T24:00:00Z', 'hour 24 (not rolled over into the next day)'],
  ['2020-06-01T10:60:00Z', 'minute 60'],
  ['2020-06-01T10:00:61Z', 'second 61'],
  ['2020-06-01T10:00:00+24:00', 'offset beyond 23:59'],
  ['2020-06-01T10:00:00+02:60', 'offset minutes 60'],
  ['2020-06-01T10:00:00+02:', 'dangling colon'],
  ['2020-06-01t10:00:00', 'lower-case t needs a zone'],
  ['2020-06-01t10:00:00+02', 'lower-case t with ±HH'],
  ['2020-06-01T10:00:00.', 'a dot without digits'],
  ['2020-6-1', 'one-digit fields'],
  ['20200601', 'basic format'],
  ['2020-06-01T10', 'hour only'],
  ['2020-06-01T10:00:00 +02:00', 'whitespace before the zone'],
  ['2020-06-01T10:00:00 UTC', 'the UTC suffix'],
  ['+12020-06-01', 'extended years'],
  [' 2020-06-01', 'leading space'],
  ['June 1, 2020', 'prose'],
  ['', 'empty'],
];

describe("ragloom's date-time grammar (RFC 3339 as Qdrant parses it)", () => {
  it.each(ACCEPTED)('%s is %s µs (%s)', (value, micros) => {
    expect(parseDateTimeMicros(value)).toBe(micros);
    expect(isDateTimeString(value)).toBe(true);
  });

  it.each(MICROSECONDS)('%s keeps microseconds and cuts the rest', (value, micros) => {
    expect(parseDateTimeMicros(value)).toBe(micros);
  });

  it.each(REJECTED)('%j is not a date-time: %s', (value) => {
    expect(parseDateTimeMicros(value)).toBeUndefined();
    expect(isDateTimeString(value)).toBe(false);
    expect(Number.isNaN(parseDateTime(value))).toBe(true);
  });

  it('rejects invalid bounds as INVALID_FILTER and accepts every valid form', () => {
    for (const [value, why] of REJECTED) {
      expect(() => parseFilter({ at: { $gte: value } }), why).toThrow(/RFC 3339/);
    }
    for (const [value] of ACCEPTED) expect(() => parseFilter({ at: { $gte: value } })).not.toThrow();
  });

  it('compares at microsecond precision in the reference evaluator', () => {
    const at = { at: '2020-06-01T10:00:00.000001Z' };
    expect(matchesFilter({ at: { $gt: '2020-06-01T10:00:00Z' } }, at)).toBe(true);
    expect(matchesFilter({ at: { $lte: '2020-06-01T10:00:00.000001Z' } }, at)).toBe(true);
    expect(matchesFilter({ at: { $lt: '2020-06-01T10:00:00.000001Z' } }, at)).toBe(false);
    // digits past the sixth are cut on both sides, as Qdrant does
    expect(matchesFilter({ at: { $gt: '2020-06-01T10:00:00.0000019Z' } }, at)).toBe(false);
    // a +02 offset and a leap second are instants like any other
    expect(matchesFilter({ at: { $gte: '2020-06-01T12:00:00+02' } }, { at: '2020-06-01T10:00:00Z' })).toBe(
      true,
    );
    expect(matchesFilter({ at: { $gte: '2017-01-01T00:00:00Z' } }, { at: '2016-12-31T23:59:60Z' })).toBe(
      true,
    );
    // stored strings outside the grammar never match a range
    expect(matchesFilter({ at: { $lt: '2030-01-01' } }, { at: '2020-02-30' })).toBe(false);
    expect(matchesFilter({ at: { $lt: '2030-01-01' } }, { at: '2020-06-01T10:00Z' })).toBe(false);
  });

  it('reads zone-less values as UTC whatever the machine time zone', () => {
    // parseDateTimeMicros never consults the local zone; the test runs under TZ=America/New_York in
    // the Qdrant adapter too (test/timezone.unit.test.ts).
    expect(parseDateTimeMicros('2020-06-01T10:00:00')).toBe(utc(2020, 5, 1, 10));
    expect(parseDateTime('2020-06-01T10:00:00')).toBe(Date.UTC(2020, 5, 1, 10));
  });

  it('formats instants canonically, and the canonical form parses back to the same instant', () => {
    for (const [value, micros] of [...ACCEPTED, ...MICROSECONDS]) {
      const canonical = formatDateTimeMicros(micros);
      expect(canonical, value).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
      expect(parseDateTimeMicros(canonical!), value).toBe(micros);
    }
    expect(formatDateTimeMicros(utc(2020, 5, 1, 10) + 5n)).toBe('2020-06-01T10:00:00.000005Z');
    expect(formatDateTimeMicros(parseDateTimeMicros('0000-01-01T00:00:00+01:00')!)).toBeUndefined();
    expect(formatDateTimeMicros(parseDateTimeMicros('9999-12-31T23:59:59-01:00')!)).toBeUndefined();
  });
});
