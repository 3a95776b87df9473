import { timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { isRagloomError, RagloomError } from '@ragloom/core';
import { handleMcpPost, MCP_PATH, refuseMcpMethod } from '../mcp/mcp-http.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { handleChatCompletions } from './chat-completions.js';
import { handleEmbeddings } from './embeddings.js';
import { checkFileIngest, streamFileIngest } from './file-ingest-route.js';
import { errorBody, errorResponse } from './http-errors.js';
import { readJsonBody } from './read-json-body.js';
import { handleIngest, handleSearch } from './search-and-ingest.js';
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

function keyMatches(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function bearer(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (typeof header === 'string') {
    const match = /^Bearer\s+(.+)$/i.exec(header.trim());
    if (match) return match[1];
  }
  const apiKey = req.headers['x-api-key'];
  return typeof apiKey === 'string' ? apiKey : undefined;
}

/** What an API route handler gets: the runtime of its lease (one index generation for the whole request). */
interface RouteContext {
  readonly runtime: RagloomRuntime;
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly signal: AbortSignal;
  /** The parsed JSON body, or undefined when the refusal was already sent. */
  readBody(): Promise<unknown>;
}

interface ApiRoute {
  /** Resolves to a JSON body to send with 200, or undefined when the handler answered itself. */
  readonly handle: (ctx: RouteContext) => Promise<unknown>;
  /** Held to requestTimeoutMs (default true); a long streamed ingest ends when its client goes away. */
  readonly timeout?: boolean;
}

/**
 * The ragloom HTTP server: OpenAI-compatible `/v1/chat/completions` (RAG, SSE streaming), `/v1/embeddings`
 * and `/v1/models`, plus `/search`, `/ingest`, `/ingest/files` (the CLI's writes while the server owns the
 * data dir), `/healthz` and the web UI. Every API request is validated, authenticated (when a key is set),
 * size-limited, time-limited and counted against a concurrency limit; a client that disconnects aborts its
 * work. Each request runs on one generation of the index set: a reader server moves to a generation
 * another process committed between requests, never during one.
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
  const started = Date.now();
  const inFlight = new Set<AbortController>();
  const sockets = new Set<Socket>();
  let active = 0;
  let closing = false;

  const models = () => {
    const created = Math.floor(started / 1000);
    const list = [{ id: modelName, object: 'model', created, owned_by: 'ragloom' }];
    if (runtime.encoder)
      list.push({ id: runtime.encoder.modelId, object: 'model', created, owned_by: 'ragloom' });
    return { object: 'list', data: list };
  };

  const withBody =
    (fn: (ctx: RouteContext, body: unknown) => Promise<unknown>) =>
    async (ctx: RouteContext): Promise<unknown> => {
      const body = await ctx.readBody();
      return body === undefined ? undefined : fn(ctx, body);
    };
  const routes: Record<string, ApiRoute> = {
    'POST /v1/chat/completions': {
      handle: withBody(async (ctx, body) => {
        await handleChatCompletions(ctx.runtime, body, ctx.res, ctx.signal, modelName);
        return undefined;
      }),
    },
    'POST /v1/embeddings': {
      handle: withBody((ctx, body) => handleEmbeddings(ctx.runtime, body, ctx.signal)),
    },
    'GET /v1/models': { handle: async () => models() },
    'POST /search': { handle: withBody((ctx, body) => handleSearch(ctx.runtime, body, ctx.signal)) },
    'POST /ingest': {
      handle: withBody((ctx, body) =>
        handleIngest(ctx.runtime, body, ctx.signal, { allowFileSources: options.allowFileSources }),
      ),
    },
    'POST /ingest/files': {
      timeout: false,
      handle: withBody(async (ctx, body) => {
        const request = await checkFileIngest(ctx.runtime, ctx.req, body);
        await streamFileIngest(ctx.runtime, request, ctx.res, ctx.signal, options.onError);
        return undefined;
      }),
    },
    // MCP (Streamable HTTP, stateless) beside the OpenAI-compatible API: the same checks, on the lease's runtime.
    [`POST ${MCP_PATH}`]: {
      handle: withBody(async (ctx, body) => {
        await handleMcpPost(ctx.runtime, ctx.req, ctx.res, body, ctx.signal);
        return undefined;
      }),
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

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const t0 = Date.now();
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const method = req.method ?? 'GET';
    res.on('finish', () =>
      options.onRequest?.({ method, path, status: res.statusCode, ms: Date.now() - t0 }),
    );

    if (method === 'GET' && path === '/healthz') {
      sendJson(res, closing ? 503 : 200, {
        status: closing ? 'shutting_down' : 'ok',
        uptime_s: Math.round((Date.now() - started) / 1000),
        active_requests: active,
        mode: runtime.describeMode(),
        memory_mb: (() => {
          // `?gc` collects first when node runs with --expose-gc, so load tests can compare live memory.
          const gc = (globalThis as { gc?: () => void }).gc;
          if (url.searchParams.has('gc') && typeof gc === 'function') gc();
          const m = process.memoryUsage();
          return { rss: Math.round(m.rss / 2 ** 20), heap_used: Math.round(m.heapUsed / 2 ** 20) };
        })(),
      });
      return;
    }
    if (method === 'GET' && webUi && !path.startsWith('/v1')) {
      const file = await readStaticFile(PUBLIC_DIR, path);
      if (file) {
        res.writeHead(200, { 'content-type': file.type, 'cache-control': 'no-cache' });
        res.end(file.body);
        return;
      }
    }
    if (options.apiKey !== undefined && !keyMatches(bearer(req), options.apiKey)) {
      req.resume();
      sendJson(
        res,
        401,
        errorBody(
          'missing or wrong API key: send "Authorization: Bearer <key>"',
          'invalid_request_error',
          'invalid_api_key',
        ),
        { 'www-authenticate': 'Bearer' },
      );
      return;
    }
    const model = method === 'GET' && /^\/v1\/models\/(.+)$/.exec(path);
    if (model) {
      sendModel(res, decodeURIComponent(model[1]!));
      return;
    }
    const route = routeFor(method, path, res);
    if (!route) {
      req.resume();
      return;
    }
    if (active >= maxConcurrent) {
      req.resume();
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
        readBody: async () => {
          const body = await readJsonBody(req, maxBody);
          if (body.ok) return body.value;
          sendJson(res, body.status, errorBody(body.message, 'invalid_request_error', body.code), {
            ...(body.status === 413 ? { connection: 'close' } : {}),
          });
          return undefined;
        },
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

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) sendJson(res, 500, errorBody('internal server error', 'server_error'));
      else res.end();
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
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
