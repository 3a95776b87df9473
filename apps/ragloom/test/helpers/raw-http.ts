import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
}

export interface RawRequest {
  readonly method?: string;
  /** The request target exactly as sent (`//[`, `/%E0%A4%A`). */
  readonly path: string;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** The client's own address (`127.0.0.2` is another client of a server on 127.0.0.1). */
  readonly localAddress?: string;
}

/** One HTTP request with full control of the target and headers (Host included), as an attacker sends it. */
export function rawRequest(url: string, req: RawRequest): Promise<RawResponse> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const r = request(
      {
        host: hostname,
        port,
        method: req.method ?? 'GET',
        path: req.path,
        headers: req.headers,
        setHost: !req.headers || !Object.keys(req.headers).some((h) => h.toLowerCase() === 'host'),
        localAddress: req.localAddress,
        agent: false,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/**
 * A client that declares a large body and then trickles it, one byte per `intervalMs`: resolves with what
 * the server answered (its status line) and when, or with the time the server closed the connection.
 */
export function slowBodyClient(
  url: string,
  options: { declaredBytes: number; intervalMs: number; path?: string },
): { done: Promise<{ statusLine: string; ms: number }>; stop: () => void } {
  const { hostname, port } = new URL(url);
  const started = Date.now();
  const socket: Socket = connect(Number(port), hostname);
  let timer: NodeJS.Timeout | undefined;
  let received = '';
  const done = new Promise<{ statusLine: string; ms: number }>((resolve) => {
    socket.on('connect', () => {
      socket.write(
        `POST ${options.path ?? '/search'} HTTP/1.1\r\nHost: ${hostname}:${port}\r\n` +
          `content-type: application/json\r\ncontent-length: ${options.declaredBytes}\r\n\r\n{`,
      );
      timer = setInterval(() => {
        if (socket.writable) socket.write(' ');
      }, options.intervalMs);
    });
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (received += d));
    const end = () => {
      clearInterval(timer);
      resolve({ statusLine: received.split('\r\n')[0] ?? '', ms: Date.now() - started });
    };
    socket.on('close', end);
    socket.on('error', () => {});
  });
  return {
    done,
    stop: () => {
      clearInterval(timer);
      socket.destroy();
    },
  };
}
