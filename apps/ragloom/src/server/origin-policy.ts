import type { IncomingMessage } from 'node:http';

/**
 * Headers a browser may send cross-origin to an allowed origin, and methods the API serves.
 * `mcp-protocol-version` is what an MCP client sends on every request after initialize.
 */
const ALLOWED_HEADERS = ['authorization', 'content-type', 'x-api-key', 'mcp-protocol-version'];
const ALLOWED_METHODS = ['GET', 'POST'];

export type OriginDecision =
  /** No Origin (curl, SDKs, same-origin GET navigation) or the server's own origin: no CORS headers. */
  | { readonly kind: 'same-origin' }
  /** An origin listed in `server.cors`: answer with these CORS headers. */
  | { readonly kind: 'allowed'; readonly headers: Record<string, string> }
  /** Another origin: refuse (403). */
  | { readonly kind: 'refused'; readonly origin: string };

function ownOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined) return false;
  try {
    const url = new URL(origin);
    return (
      (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${host}`).host
    );
  } catch {
    return false;
  }
}

/**
 * Decides what a request's Origin header allows. Browsers send Origin on every cross-origin fetch and
 * every POST, so a page elsewhere (or a sandboxed `Origin: null` frame) can neither write nor read
 * unless its origin is listed in `cors` (exact origins such as `https://app.example.com`, or `*`).
 */
export function decideOrigin(req: IncomingMessage, cors: readonly string[]): OriginDecision {
  const origin = req.headers.origin;
  if (origin === undefined) return { kind: 'same-origin' };
  if (ownOrigin(origin, req.headers.host)) return { kind: 'same-origin' };
  if (origin !== 'null' && (cors.includes('*') || cors.includes(origin))) {
    return {
      kind: 'allowed',
      headers: {
        'access-control-allow-origin': origin,
        vary: 'Origin',
        'access-control-expose-headers': 'retry-after, www-authenticate',
      },
    };
  }
  return { kind: 'refused', origin };
}

/**
 * The answer to a CORS preflight (`OPTIONS` with Access-Control-Request-Method) from an allowed origin,
 * or undefined when it asks for a method or header the API does not take.
 */
export function preflightHeaders(
  req: IncomingMessage,
  allowed: Record<string, string>,
): Record<string, string> | undefined {
  const method = req.headers['access-control-request-method'];
  if (typeof method !== 'string' || !ALLOWED_METHODS.includes(method.toUpperCase())) return undefined;
  const asked = (req.headers['access-control-request-headers'] ?? '')
    .toString()
    .split(',')
    .map((h) => h.trim().toLowerCase())
    .filter((h) => h !== '');
  if (asked.some((h) => !ALLOWED_HEADERS.includes(h))) return undefined;
  return {
    ...allowed,
    'access-control-allow-methods': ALLOWED_METHODS.join(', '),
    'access-control-allow-headers': ALLOWED_HEADERS.join(', '),
    'access-control-max-age': '600',
  };
}
