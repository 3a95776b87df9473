import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isRagloomError, RagloomError } from '@ragloom/core';
import { handleMcpPost, MCP_PATH, refuseMcpMethod } from '../mcp/mcp-http.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { apiKeyMatches } from './api-key.js';
import { handleChatCompletions } from './chat-completions.js';
import { createClientConnections } from './client-connections.js';
import { handleEmbeddings } from './embeddings.js';
import { checkFileIngest, streamFileIngest } from './file-ingest-route.js';
import { hostAllowed } from './host-check.js';
import { errorBody, errorResponse } from './http-errors.js';
import { decideOrigin, preflightHeaders } from './origin-policy.js';
import { readJsonBody } from './read-json-body.js';
import { parseRequestTarget } from './request-target.js';
import { handleIngest, handleSearch } from './search-and-ingest.js';
import { setBaseSecurityHeaders, UI_SECURITY_HEADERS } from './security-headers.js';
import type { RagloomServerOptions } from './server-options.js';
import { PUBLIC_DIR, readStaticFile } from './static-files.js';

export interface RagloomServer {
  readonly server: Server;
  /** Starts listening; resolves to the base URL. */
  listen(port?: number, host?: string): Promise<string>;
  /**
   * Graceful shutdown: stop accepting connections, let running requests finish for up to `graceMs`
   * (default 10 s), then abort what is left and close every socket.
   */
  close(graceMs?: number): Promise<void>;
  /** Requests being served right now. */
  readonly activeRequests: number;
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

/** What an API route handler gets: the runtime of its lease (one index generation for the whole request). */
interface RouteContext {
  readonly runtime: RagloomRuntime;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly signal: AbortSignal;
  /** The parsed JSON body (routes that take one), read in full before the request took its slot. */
  readonly body: unknown;
}

interface ApiRoute {
  /** Resolves to a JSON body to send with 200, or undefined when the handler answered itself. */
  readonly handle: (ctx: RouteContext) => Promise<unknown>;
  /** Takes a JSON body (POST routes). */
  readonly body?: boolean;
  /** Held to requestTimeoutMs (default true); a long streamed ingest ends when its client goes away. */
  readonly timeout?: boolean;
}

/** Once a body trickles in for this long, it must keep up `minBodyBytesPerSecond` on average. */
const BODY_RATE_GRACE_MS = 5_000;

/**
 * The ragloom HTTP server: OpenAI-compatible `/v1/chat/completions` (RAG, SSE streaming), `/v1/embeddings`
 * and `/v1/models`, plus `/search`, `/ingest`, `/ingest/files` (the CLI's writes while the server owns the
 * data dir), `/healthz` and the web UI.
 *
 * Each request passes, in order: a request target that parses (400), a Host that names this server (421,
 * against DNS rebinding), an Origin that is its own or listed in `cors` (403; CORS and preflight for listed
 * ones), the API key when one is set (401), the route (404/405), a JSON body sent as application/json
 * (415) read in full under a deadline and a minimum rate (408, 413) — and only then takes one of the
 * `maxConcurrent` slots (429), so slow clients cannot hold them. Headers have their own deadline, and
 * connections per client address are bounded. Each request runs on one generation of the index set.
 */
export function createRagloomServer(
  runtime: RagloomRuntime,
  options: RagloomServerOptions = {},
): RagloomServer {
  const maxBody = options.maxBodyBytes ?? 1024 * 1024;
  const timeoutMs = options.requestTimeoutMs ?? 120_000;
  const maxConcurrent = options.maxConcurrent ?? 16;
  const modelName = options.modelName ?? 'ragloom';
  const webUi = options.webUi ?? true;
  const allowedHosts = options.allowedHosts ?? [];
  const cors = options.cors ?? [];
  const headersTimeoutMs = options.headersTimeoutMs ?? 10_000;
  const bodyDeadline = {
    timeoutMs: options.bodyTimeoutMs ?? 30_000,
    minBytesPerSecond: options.minBodyBytesPerSecond ?? 1024,
    graceMs: BODY_RATE_GRACE_MS,
  };
  const started = Date.now();
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();
  const clients = createClientConnections(options.maxConnectionsPerClient ?? 32);
  let active = 0;
  let closing = false;

  const models = () => {
    const created = Math.floor(started / 1000);
    const list = [{ id: modelName, object: 'model', created, owned_by: 'ragloom' }];
    if (runtime.encoder)
      list.push({ id: runtime.encoder.modelId, object: 'model', created, owned_by: 'ragloom' });
    return { object: 'list', data: list };
  };

  const routes: Record<string, ApiRoute> = {
    'POST /v1/chat/completions': {
      body: true,
      handle: async (ctx) => {
        await handleChatCompletions(ctx.runtime, ctx.body, ctx.res, ctx.signal, modelName);
        return undefined;
      },
    },
    'POST /v1/embeddings': {
      body: true,
      handle: (ctx) => handleEmbeddings(ctx.runtime, ctx.body, ctx.signal),
    },
    'GET /v1/models': { handle: async () => models() },
    'POST /search': { body: true, handle: (ctx) => handleSearch(ctx.runtime, ctx.body, ctx.signal) },
    'POST /ingest': {
      body: true,
      handle: (ctx) =>
        handleIngest(ctx.runtime, ctx.body, ctx.signal, { allowFileSources: options.allowFileSources }),
    },
    'POST /ingest/files': {
      body: true,
      timeout: false,
      handle: async (ctx) => {
        const request = await checkFileIngest(ctx.runtime, ctx.req, ctx.body);
        await streamFileIngest(ctx.runtime, request, ctx.res, ctx.signal, options.onError);
        return undefined;
      },
    },
    // MCP (Streamable HTTP, stateless) beside the OpenAI-compatible API: the same checks, on the lease's runtime.
    [`POST ${MCP_PATH}`]: {
      body: true,
      handle: async (ctx) => {
        await handleMcpPost(ctx.runtime, ctx.req, ctx.res, ctx.body, ctx.signal);
        return undefined;
      },
    },
    [`GET ${MCP_PATH}`]: { handle: async (ctx) => refuseMcpMethod(ctx.req, ctx.res) },
    [`DELETE ${MCP_PATH}`]: { handle: async (ctx) => refuseMcpMethod(ctx.req, ctx.res) },
  };

  function sendModel(res: ServerResponse, id: string): void {
    const found = models().data.find((m) => m.id === id);
    if (found) sendJson(res, 200, found);
    else
      sendJson(
        res,
        404,
        errorBody(
          `model "${id}" does not exist on this server`,
          'invalid_request_error',
          'model_not_found',
          'model',
        ),
      );
  }

  function routeFor(method: string, path: string, res: ServerResponse): ApiRoute | undefined {
    const route = routes[`${method} ${path}`];
    if (route) return route;
    if (Object.keys(routes).some((k) => k.endsWith(` ${path}`))) {
      sendJson(
        res,
        405,
        errorBody(`${method} is not allowed on ${path}`, 'invalid_request_error', 'method_not_allowed'),
        {
          allow: Object.keys(routes)
            .filter((k) => k.endsWith(` ${path}`))
            .map((k) => k.split(' ')[0])
            .join(', '),
        },
      );
    } else {
      sendJson(res, 404, errorBody(`no route ${method} ${path}`, 'invalid_request_error', 'not_found'));
    }
    return undefined;
  }

  /** A reader server moves to what another process committed before it starts a request. */
  async function refreshIndex(): Promise<void> {
    try {
      await runtime.indexSet.refresh();
    } catch (error) {
      // The newest generation could not be opened: keep serving the one we have, and say why.
      options.onError?.(error);
    }
  }

  /** A refusal sent before the body was read: the connection closes so the unread body is not parsed. */
  function refuse(res: ServerResponse, status: number, message: string, code: string, headers = {}): void {
    sendJson(res, status, errorBody(message, 'invalid_request_error', code), {
      connection: 'close',
      ...headers,
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = Date.now();
    const method = req.method ?? 'GET';
    const target = parseRequestTarget(req.url);
    res.on('finish', () =>
      options.onRequest?.({
        time: new Date(t0).toISOString(),
        method,
        path: target?.path ?? '(malformed)',
        status: res.statusCode,
        ms: Date.now() - t0,
        client: req.socket.remoteAddress ?? '',
      }),
    );
    setBaseSecurityHeaders(res);
    if (!target) {
      refuse(
        res,
        400,
        'malformed request target: the path must be a valid percent-encoded URL path',
        'invalid_url',
      );
      return;
    }
    const { path, query } = target;
    if (!hostAllowed(req.headers.host, allowedHosts)) {
      refuse(
        res,
        421,
        `this server does not answer for host ${JSON.stringify(req.headers.host)}; add it to server.allowedHosts`,
        'host_not_allowed',
      );
      return;
    }
    const origin = decideOrigin(req, cors);
    if (origin.kind === 'refused') {
      refuse(
        res,
        403,
        `requests from origin ${origin.origin} are refused; list it in server.cors to allow it`,
        'origin_not_allowed',
      );
      return;
    }
    if (origin.kind === 'allowed') {
      for (const [name, value] of Object.entries(origin.headers)) res.setHeader(name, value);
      if (method === 'OPTIONS') {
        const preflight = preflightHeaders(req, origin.headers);
        if (preflight) {
          res.writeHead(204, preflight);
          res.end();
        } else
          refuse(
            res,
            403,
            'CORS preflight asks for a method or header this API does not take',
            'cors_refused',
          );
        return;
      }
    }

    if (method === 'GET' && path === '/healthz') {
      sendJson(res, closing ? 503 : 200, {
        status: closing ? 'shutting_down' : 'ok',
        uptime_s: Math.round((Date.now() - started) / 1000),
        active_requests: active,
        mode: runtime.describeMode(),
        // So a client (the web UI) can ask for the key before its first request fails.
        auth_required: options.apiKey !== undefined,
        memory_mb: (() => {
          // `?gc` collects first (node --expose-gc), for load tests; only when the operator turned it on.
          const gc = (globalThis as { gc?: () => void }).gc;
          if (options.healthzGc && query.has('gc') && typeof gc === 'function') gc();
          const m = process.memoryUsage();
          return { rss: Math.round(m.rss / 2 ** 20), heap_used: Math.round(m.heapUsed / 2 ** 20) };
        })(),
      });
      return;
    }
    if (method === 'GET' && webUi && !path.startsWith('/v1')) {
      const file = await readStaticFile(PUBLIC_DIR, path);
      if (file) {
        res.writeHead(200, {
          'content-type': file.type,
          'cache-control': 'no-cache',
          ...UI_SECURITY_HEADERS,
        });
        res.end(file.body);
        return;
      }
    }
    if (options.apiKey !== undefined && !apiKeyMatches(req, options.apiKey)) {
      refuse(
        res,
        401,
        'missing or wrong API key: send "Authorization: Bearer <key>" (or "x-api-key: <key>")',
        'invalid_api_key',
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    const model = method === 'GET' && /^\/v1\/models\/(.+)$/.exec(path);
    if (model) {
      sendModel(res, model[1]!);
      return;
    }
    const route = routeFor(method, path, res);
    if (!route) {
      req.resume();
      return;
    }
    let body: unknown;
    if (route.body) {
      const read = await readJsonBody(req, maxBody, bodyDeadline);
      if (!read.ok) {
        // A body left unread (too large, too slow, wrong type) would be parsed as the next request.
        refuse(res, read.status, read.message, read.code);
        return;
      }
      body = read.value;
    } else req.resume();
    if (active >= maxConcurrent) {
      sendJson(
        res,
        429,
        errorBody(
          `the server is busy (${maxConcurrent} requests in progress); retry shortly`,
          'rate_limit_error',
          'too_many_requests',
        ),
        { 'retry-after': '1' },
      );
      return;
    }
    active++;
    const controller = new AbortController();
    inFlight.add(controller);
    const timer =
      route.timeout === false
        ? undefined
        : setTimeout(
            () =>
              controller.abort(new RagloomError('TIMEOUT', `the request took longer than ${timeoutMs} ms`)),
            timeoutMs,
          );
    // A client that goes away stops its work (generation, embedding) at the next step.
    const onClose = () => {
      if (!res.writableFinished) controller.abort(new RagloomError('ABORTED', 'the client disconnected'));
    };
    res.on('close', onClose);
    await refreshIndex();
    const lease = runtime.indexSet.lease();
    try {
      const result = await route.handle({
        runtime: lease.runtime,
        req,
        res,
        signal: controller.signal,
        body,
      });
      if (result !== undefined) sendJson(res, 200, result);
    } catch (error) {
      // An abort is reported by its reason (timeout, disconnect, shutdown) unless a route said more about
      // it (an ingest adds what was applied) with a typed error of another code.
      const aborted = controller.signal.aborted && (!isRagloomError(error) || error.code === 'ABORTED');
      const { status, body } = errorResponse(aborted ? (controller.signal.reason ?? error) : error);
      if (status >= 500 && status !== 504) options.onError?.(error);
      if (!res.headersSent) sendJson(res, status, body);
      else if (!res.writableEnded) res.end();
    } finally {
      lease.release();
      clearTimeout(timer);
      res.off('close', onClose);
      inFlight.delete(controller);
      active--;
    }
  }

  const server = createServer(
    {
      // Headers must arrive within headersTimeoutMs; the body has its own deadline (readJsonBody).
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs + bodyDeadline.timeoutMs,
      // Node checks those deadlines this often (default 30 s, which lets a slow client overstay).
      connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
    },
    (req, res) => {
      if (clients.wasRefused(req.socket)) {
        req.socket.destroy();
        return;
      }
      handle(req, res).catch((error: unknown) => {
        options.onError?.(error);
        if (!res.headersSent) sendJson(res, 500, errorBody('internal server error', 'server_error'));
        else res.end();
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  server.maxConnections = options.maxConnections ?? 1024;
  server.on('connection', (socket) => {
    if (!clients.admit(socket)) return;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  // Malformed requests Node's parser refuses (bad request line, oversized headers) get a bare 400, no log.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const status =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? '408 Request Timeout'
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? '431 Request Header Fields Too Large'
          : '400 Bad Request';
    socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });

  return {
    server,
    get activeRequests() {
      return active;
    },
    listen(port = 8787, host = '127.0.0.1') {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const address = server.address() as AddressInfo;
          const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
          resolve(`http://${shownHost}:${address.port}`);
        });
      });
    },
    async close(graceMs = 10_000) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const deadline = Date.now() + graceMs;
      while (active > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 25));
        server.closeIdleConnections();
      }
      for (const controller of inFlight)
        controller.abort(new RagloomError('ABORTED', 'the server is shutting down'));
      await new Promise((r) => setTimeout(r, 50));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}
