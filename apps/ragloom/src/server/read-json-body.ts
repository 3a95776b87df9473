import type { IncomingMessage } from 'node:http';
import { type BodyDeadline, readBodyWithDeadline } from './body-deadline.js';

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | {
      readonly ok: false;
      readonly status: 400 | 408 | 413 | 415;
      readonly message: string;
      readonly code: string;
    };

/** `application/json`, with at most a UTF-8 charset: what a browser cannot send cross-site without a preflight. */
export function isJsonContentType(header: string | undefined): boolean {
  if (header === undefined) return false;
  const [type, ...params] = header.split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((p) => p === '' || /^charset="?utf-8"?$/.test(p));
}

/**
 * Reads a JSON request body: 415 unless it is sent as `application/json`, 413 above `limit` bytes (from
 * Content-Length up front, or while reading), 408 when it does not arrive within the deadline or
 * arrives slower than its minimum rate, 400 for malformed JSON.
 */
export async function readJsonBody(
  req: IncomingMessage,
  limit: number,
  deadline: BodyDeadline,
): Promise<BodyResult> {
  if (!isJsonContentType(req.headers['content-type'])) {
    return {
      ok: false,
      status: 415,
      message: `send the request body as "content-type: application/json" (got ${JSON.stringify(req.headers['content-type'] ?? 'none')})`,
      code: 'unsupported_media_type',
    };
  }
  const declared = Number(req.headers['content-length']);
  const tooLarge = {
    ok: false,
    status: 413,
    message: `request body is larger than the server's limit of ${limit} bytes`,
    code: 'body_too_large',
  } as const;
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const read = await readBodyWithDeadline(req, limit, deadline);
  if (!read.ok) {
    if (read.reason === 'too_large') return tooLarge;
    const message =
      read.reason === 'too_slow'
        ? `request body arrived slower than ${deadline.minBytesPerSecond} bytes/s`
        : `request body did not arrive within ${deadline.timeoutMs} ms`;
    return { ok: false, status: 408, message, code: 'body_timeout' };
  }
  const text = read.bytes.toString('utf8');
  if (text.trim() === '')
    return { ok: false, status: 400, message: 'request body is empty; send JSON', code: 'invalid_json' };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    return {
      ok: false,
      status: 400,
      message: `request body is not valid JSON: ${(error as Error).message}`,
      code: 'invalid_json',
    };
  }
}
