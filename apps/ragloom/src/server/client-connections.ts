import type { Socket } from 'node:net';

const REFUSAL =
  'HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-type: application/json\r\nretry-after: 1\r\n';

function refusalResponse(limit: number): string {
  const body = JSON.stringify({
    error: {
      message: `too many open connections from your address (limit ${limit}); reuse a connection or close some`,
      type: 'rate_limit_error',
      param: null,
      code: 'too_many_connections',
    },
  });
  return `${REFUSAL}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * Counts open connections per client address and refuses one beyond `limit` with a 429 written straight
 * to the socket, so that one client cannot take every connection the server will hold.
 */
export function createClientConnections(limit: number) {
  const open = new Map<string, number>();
  const refused = new WeakSet<Socket>();
  return {
    /** False when the socket was refused (and is being closed). */
    admit(socket: Socket): boolean {
      const address = socket.remoteAddress ?? 'unknown';
      const count = open.get(address) ?? 0;
      if (count >= limit) {
        refused.add(socket);
        socket.end(refusalResponse(limit), () => socket.destroy());
        socket.setTimeout(1000, () => socket.destroy());
        return false;
      }
      open.set(address, count + 1);
      socket.once('close', () => {
        const left = (open.get(address) ?? 1) - 1;
        if (left <= 0) open.delete(address);
        else open.set(address, left);
      });
      return true;
    },
    /** Whether a request arrived on a refused socket: it is not served (its refusal is already on the wire). */
    wasRefused(socket: Socket): boolean {
      return refused.has(socket);
    },
  };
}
