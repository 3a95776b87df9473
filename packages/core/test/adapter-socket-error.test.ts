import { connect as netConnect } from 'node:net';
import { closedPort } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { findSocketErrorCode, SOCKET_ERROR_CODES } from '../src/adapter/index.js';

describe('findSocketErrorCode', () => {
  it("finds ECONNREFUSED in what Node's fetch really throws (TypeError 'fetch failed', the socket error as cause)", async () => {
    const port = await closedPort();
    const error = await fetch(`http://127.0.0.1:${port}/`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TypeError);
    expect((error as { code?: unknown }).code).toBeUndefined(); // the code is only in the cause chain
    expect(findSocketErrorCode(error)).toBe('ECONNREFUSED');
  });

  it('finds it on a net socket error itself', async () => {
    const port = await closedPort();
    const error = await new Promise<unknown>((resolve) => {
      netConnect(port, '127.0.0.1').on('error', resolve);
    });
    expect(findSocketErrorCode(error)).toBe('ECONNREFUSED');
  });

  it("looks inside an AggregateError's errors (happy eyeballs: IPv4 and IPv6 both refused), also when wrapped", () => {
    const v6 = Object.assign(new Error('connect ECONNREFUSED ::1:5432'), { code: 'ECONNREFUSED' });
    const aggregate = new AggregateError([new Error('no code'), v6], 'connect failed');
    expect(findSocketErrorCode(aggregate)).toBe('ECONNREFUSED');
    expect(findSocketErrorCode(new Error('pg', { cause: aggregate }))).toBe('ECONNREFUSED');
  });

  it("finds undici's own socket codes", () => {
    const closed = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(findSocketErrorCode(new TypeError('fetch failed', { cause: closed }))).toBe('UND_ERR_SOCKET');
  });

  it('ignores codes that are not socket errors (a SQLSTATE, an HTTP code) and non-errors', () => {
    expect(findSocketErrorCode(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(findSocketErrorCode(new Error('x', { cause: { code: 'ERR_INVALID_URL' } }))).toBeUndefined();
    expect(findSocketErrorCode(undefined)).toBeUndefined();
    expect(findSocketErrorCode('ECONNREFUSED')).toBeUndefined(); // a bare string is not an error with a code
    expect(findSocketErrorCode({ code: 42 })).toBeUndefined();
  });

  it('stops on a cyclic cause chain and does not look deeper than five levels', () => {
    const a: { cause?: unknown } = {};
    const b = { cause: a };
    a.cause = b;
    expect(findSocketErrorCode(a)).toBeUndefined();
    let deep: unknown = { code: 'ECONNRESET' };
    for (let i = 0; i < 4; i++) deep = { cause: deep };
    expect(findSocketErrorCode(deep)).toBe('ECONNRESET'); // at depth 4: found
    expect(findSocketErrorCode({ cause: deep })).toBeUndefined(); // at depth 5: past the bound
  });

  it('lists the codes it recognises', () => {
    for (const code of ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'UND_ERR_CONNECT_TIMEOUT']) {
      expect(SOCKET_ERROR_CODES.has(code)).toBe(true);
    }
  });
});
