import type { IncomingMessage } from 'node:http';

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 413; readonly message: string; readonly code: string };

/**
 * Reads a JSON request body, refusing more than `limit` bytes (from Content-Length up front, or while
 * reading a chunked body) with 413 and malformed JSON with 400.
 */
export async function readJsonBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  const declared = Number(req.headers['content-length']);
  const tooLarge = {
    ok: false,
    status: 413,
    message: `request body is larger than the server's limit of ${limit} bytes`,
    code: 'body_too_large',
  } as const;
  if (Number.isFinite(declared) && declared > limit) return tooLarge;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) return tooLarge;
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
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
