import { once } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { createRagloomMcpServer, fixedRuntime } from './mcp-server.js';

/** The MCP endpoint of `ragloom serve`, beside the OpenAI-compatible API. */
export const MCP_PATH = '/mcp';

/**
 * Streamable HTTP for `POST /mcp`, stateless: each request gets its own MCP server and transport over the shared
 * runtime and is answered with one JSON response. No session is kept, so there is nothing for a client to
 * exhaust or leak, and the request runs inside the server's common handling (API key, body limit, concurrency
 * limit, timeout, abort on disconnect). `GET` (a server-to-client event stream) and `DELETE` (ending a session)
 * have nothing to do without sessions and answer 405, as the transport spec allows.
 */
export async function handleMcpPost(
  runtime: RagloomRuntime,
  req: IncomingMessage,
  res: ServerResponse,
  body: unknown,
  signal: AbortSignal,
): Promise<void> {
  const server = createRagloomMcpServer(fixedRuntime(runtime));
  const transport = new StreamableHTTPServerTransport({
    sessionIdGenerator: undefined,
    enableJsonResponse: true,
  });
  // Closing the transport aborts the tool calls it runs: on disconnect, and on the server's timeout or shutdown.
  // A closed transport never answers the request it was handling, so `stopped` is what ends the wait then.
  let stop = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const end = () => {
    void transport.close();
    void server.close();
    stop();
  };
  res.on('close', end);
  signal.addEventListener('abort', end, { once: true });
  if (res.closed || signal.aborted) end();
  try {
    await server.connect(transport);
    await Promise.race([transport.handleRequest(req, res, body), stopped]);
    // Timed out or shut down before answering: the server's common handling sends the error (504, 503).
    if (signal.aborted && !res.headersSent) throw signal.reason;
    // The request counts as running (concurrency limit, graceful shutdown) until its answer is sent.
    if (!res.writableFinished && !res.closed) await once(res, 'close');
  } finally {
    res.off('close', end);
    signal.removeEventListener('abort', end);
  }
}

/** `GET`/`DELETE /mcp`: 405 with a JSON-RPC error body, since this endpoint keeps no sessions or streams. */
export function refuseMcpMethod(req: IncomingMessage, res: ServerResponse): void {
  const body = JSON.stringify({
    jsonrpc: '2.0',
    error: {
      code: -32000,
      message: `${req.method} ${MCP_PATH} is not supported: this MCP endpoint is stateless (POST only)`,
    },
    id: null,
  });
  res.writeHead(405, {
    'content-type': 'application/json',
    allow: 'POST',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
}
