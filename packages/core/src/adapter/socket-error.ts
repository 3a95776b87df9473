/**
 * Codes meaning the server could not be reached or dropped the connection: Node's net and dns errors, and
 * undici's (Node's fetch) socket errors. A driver (pg) or a client on fetch (Qdrant, OpenAI) wraps them.
 */
export const SOCKET_ERROR_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/** How deep the `cause` chain is followed: fetch wraps twice, drivers once; a cycle must not hang. */
const MAX_DEPTH = 5;

/**
 * The socket error code (`ECONNREFUSED`, …) somewhere in an error, or undefined: the error's own `code`,
 * then its `cause` chain, and the `errors` of an AggregateError (Node's happy eyeballs reports IPv4 and IPv6
 * both refused that way). Lets an adapter say CONNECTION_ERROR, retryable, instead of "fetch failed".
 */
export function findSocketErrorCode(error: unknown, depth = 0): string | undefined {
  let current: unknown = error;
  for (let level = depth; level < MAX_DEPTH && typeof current === 'object' && current !== null; level++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && SOCKET_ERROR_CODES.has(code)) return code;
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) {
      for (const inner of errors) {
        const found = findSocketErrorCode(inner, level + 1);
        if (found !== undefined) return found;
      }
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
