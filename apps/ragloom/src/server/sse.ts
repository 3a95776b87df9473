import type { ServerResponse } from 'node:http';

export interface SseWriter {
  send(data: unknown): void;
  /** Sends the `[DONE]` sentinel OpenAI clients wait for, then ends the response. */
  done(): void;
  end(): void;
  readonly closed: boolean;
}

/** Starts a server-sent event stream (no buffering by proxies, flushed per event). */
export function openSse(res: ServerResponse): SseWriter {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  const closed = () => res.writableEnded || res.destroyed;
  return {
    send(data) {
      if (!closed()) res.write(`data: ${JSON.stringify(data)}\n\n`);
    },
    done() {
      if (closed()) return;
      res.write('data: [DONE]\n\n');
      res.end();
    },
    end() {
      if (!closed()) res.end();
    },
    get closed() {
      return closed();
    },
  };
}
