import { describe, expect, it } from 'vitest';
import { isRagloomError, RagloomError } from '../src/index.js';

describe('RagloomError', () => {
  it('carries a stable code, details and cause', () => {
    const cause = new Error('disk full');
    const e = new RagloomError('INDEX_CORRUPT', 'bad checksum', { cause, details: { file: 'x.idx' } });
    expect(e.code).toBe('INDEX_CORRUPT');
    expect(e.details).toEqual({ file: 'x.idx' });
    expect(e.cause).toBe(cause);
    expect(e).toBeInstanceOf(Error);
    expect(JSON.parse(JSON.stringify(e))).toMatchObject({ code: 'INDEX_CORRUPT', message: 'bad checksum' });
  });

  it('isInstance recognises an error from another copy of core (marker, not prototype)', () => {
    // What a second copy of @ragloom/core produces: a different class with the same Symbol.for marker.
    const foreign = Object.assign(new Error('from a duplicate copy'), {
      [Symbol.for('ragloom.error')]: true,
      code: 'UPSTREAM_ERROR',
    });
    expect(foreign instanceof RagloomError).toBe(false);
    expect(RagloomError.isInstance(foreign)).toBe(true);
    expect(isRagloomError(foreign, 'UPSTREAM_ERROR')).toBe(true);
    expect(isRagloomError(foreign, 'TIMEOUT')).toBe(false);
  });

  it('rejects look-alikes without the marker', () => {
    expect(RagloomError.isInstance(Object.assign(new Error('x'), { code: 'TIMEOUT' }))).toBe(false);
    expect(RagloomError.isInstance(null)).toBe(false);
    expect(RagloomError.isInstance('INDEX_CORRUPT')).toBe(false);
  });
});
