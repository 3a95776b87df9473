// Run under another time zone: zone-less date-time bounds must mean UTC (as in core and Qdrant), not the
// machine's local time. Node reads TZ when it changes, so setting it here takes effect for Date below.
process.env.TZ = 'America/New_York';

import { describe, expect, it } from 'vitest';
import { translateFilter } from '../src/index.js';

describe('date-time bounds under TZ=America/New_York (unit)', () => {
  it('a zone-less bound is sent as the same UTC instant, not shifted by the local offset', () => {
    expect(new Date(2020, 5, 1).getTimezoneOffset(), 'the test really runs in New York time').toBe(240);
    expect(translateFilter({ d: { $gte: '2020-06-01T10:00:00' } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: 'metadata.d', range: { gte: '2020-06-01T10:00:00.000000Z' } }] },
    });
    expect(translateFilter({ d: { $lt: '2020-06-01 10:00' } })).toEqual({
      kind: 'filter',
      filter: { must: [{ key: 'metadata.d', range: { lt: '2020-06-01T10:00:00.000000Z' } }] },
    });
  });
});
