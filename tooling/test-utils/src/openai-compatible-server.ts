import type { IncomingMessage, ServerResponse } from 'node:http';
import { type LocalServer, readBody, startLocalServer } from './http-server.js';

/**
 * An OpenAI-compatible HTTP server for tests whose "models" are real ragloom components (a GeneratorV1, an
 * EncoderV1 — typed structurally here so test-utils does not depend on core). SDKs that speak the OpenAI wire
 * protocol (`@ai-sdk/openai-compatible`, `@langchain/openai`, `openai`) talk to it over real HTTP and SSE, so a
 * test of an adapter built on them exercises the SDK's own request building, stream parsing and error mapping,
 * and its output can be compared with the backing component called directly.
 */

export interface ServedChatRequest {
  readonly messages: readonly { readonly role: 'system' | 'user' | 'assistant'; readonly content: string }[];
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly seed?: number;
  readonly stop?: readonly string[];
  readonly signal?: AbortSignal;
}

export type ServedStreamPart =
  | { readonly type: 'text-delta'; readonly delta: string }
  | {
      readonly type: 'finish';
      readonly finishReason: string;
      readonly usage: { readonly promptTokens: number; readonly completionTokens: number };
    };

/** What answers chat completions: any ragloom GeneratorV1 fits. */
export interface ServedChatModel {
  readonly modelId: string;
  stream(request: ServedChatRequest): AsyncIterable<ServedStreamPart>;
}

/** What answers embeddings: any ragloom EncoderV1 fits. Texts are embedded as documents. */
export interface ServedEmbeddingModel {
  readonly modelId: string;
  embed(request: {
    readonly texts: readonly string[];
    readonly inputType: 'query' | 'document';
    readonly signal?: AbortSignal;
  }): Promise<{ readonly embeddings: readonly Float32Array[]; readonly usage?: { readonly tokens: number } }>;
}

/** A canned failure for the next request: this status and an OpenAI-shaped error body. */
export interface ServedFault {
  readonly status: number;
  readonly message?: string;
  readonly code?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OpenAICompatibleServerOptions {
  readonly chat?: ServedChatModel;
  readonly embeddings?: ServedEmbeddingModel;
  /** Required as `Authorization: Bearer <key>` when set. */
  readonly apiKey?: string;
  /** More inputs than this in one embeddings request are refused with 400, as hosted APIs do. */
  readonly maxEmbeddingInputs?: number;
}

export interface RecordedOpenAIRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly headers: IncomingMessage['headers'];
}

export interface OpenAICompatibleServer extends LocalServer {
  /** `${url}/v1`, what the SDKs call the base URL. */
  readonly baseURL: string;
  /** Every request that reached a model route, in arrival order. */
  readonly requests: RecordedOpenAIRequest[];
  /** Failures for the next requests, one per request, consumed in order. */
  readonly faults: ServedFault[];
  /** Chat requests being answered right now, and the most at once so far. */
  readonly inFlight: { readonly now: number; readonly max: number };
}

const OPENAI_FINISH: Record<string, string> = {
  stop: 'stop',
  length: 'length',
  'content-filter': 'content_filter',
};

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: ServerResponse, status: number, message: string, code: string | null = null) {
  sendJson(res, status, { error: { message, type: 'invalid_request_error', param: null, code } });
}

/** Message content as clients send it: a string, or text parts (other part types are refused). */
function textOf(content: unknown): string | undefined {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return undefined;
  let text = '';
  for (const part of content) {
    if (part?.type !== 'text' || typeof part.text !== 'string') return undefined;
    text += part.text;
  }
  return text;
}

function chatRequestOf(body: Record<string, unknown>, signal: AbortSignal): ServedChatRequest | string {
  if (!Array.isArray(body.messages) || body.messages.length === 0)
    return 'messages: send at least one message';
  const messages: ServedChatRequest['messages'][number][] = [];
  for (const [i, m] of (body.messages as Record<string, unknown>[]).entries()) {
    const role = m?.role === 'developer' ? 'system' : m?.role;
    const content = textOf(m?.content);
    if (role !== 'system' && role !== 'user' && role !== 'assistant')
      return `messages[${i}].role: ${String(role)} is not supported`;
    if (content === undefined) return `messages[${i}].content: expected text`;
    messages.push({ role, content });
  }
  const number = (v: unknown) => (typeof v === 'number' ? v : undefined);
  const stop = typeof body.stop === 'string' ? [body.stop] : Array.isArray(body.stop) ? body.stop : undefined;
  return {
    messages,
    maxTokens: number(body.max_completion_tokens) ?? number(body.max_tokens),
    temperature: number(body.temperature),
    topP: number(body.top_p),
    seed: number(body.seed),
    stop: stop?.filter((s): s is string => typeof s === 'string'),
    signal,
  };
}

export async function startOpenAICompatibleServer(
  options: OpenAICompatibleServerOptions,
): Promise<OpenAICompatibleServer> {
  const requests: RecordedOpenAIRequest[] = [];
  const faults: ServedFault[] = [];
  const inFlight = { now: 0, max: 0 };
  let counter = 0;

  async function chat(res: ServerResponse, body: Record<string, unknown>, signal: AbortSignal) {
    const model = options.chat;
    if (!model || body.model !== model.modelId)
      return sendError(res, 404, `The model \`${String(body.model)}\` does not exist`, 'model_not_found');
    const request = chatRequestOf(body, signal);
    if (typeof request === 'string') return sendError(res, 400, request);
    const id = `chatcmpl-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    const base = { id, created, model: model.modelId };
    const usageJson = (u: { promptTokens: number; completionTokens: number }) => ({
      prompt_tokens: u.promptTokens,
      completion_tokens: u.completionTokens,
      total_tokens: u.promptTokens + u.completionTokens,
    });
    inFlight.now++;
    inFlight.max = Math.max(inFlight.max, inFlight.now);
    try {
      if (body.stream !== true) {
        let text = '';
        for await (const part of model.stream(request)) {
          if (part.type === 'text-delta') text += part.delta;
          else {
            return sendJson(res, 200, {
              ...base,
              object: 'chat.completion',
              choices: [
                {
                  index: 0,
                  message: { role: 'assistant', content: text },
                  finish_reason: OPENAI_FINISH[part.finishReason] ?? 'stop',
                },
              ],
              usage: usageJson(part.usage),
            });
          }
        }
        return sendError(res, 500, 'the model ended without finishing');
      }
      const includeUsage =
        (body.stream_options as { include_usage?: unknown } | null)?.include_usage === true;
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        event({
          ...base,
          object: 'chat.completion.chunk',
          choices: [{ index: 0, delta, finish_reason: finish }],
        });
      chunk({ role: 'assistant', content: '' }, null);
      for await (const part of model.stream(request)) {
        if (part.type === 'text-delta') {
          chunk({ content: part.delta }, null);
          continue;
        }
        chunk({}, OPENAI_FINISH[part.finishReason] ?? 'stop');
        if (includeUsage)
          event({ ...base, object: 'chat.completion.chunk', choices: [], usage: usageJson(part.usage) });
      }
      res.end('data: [DONE]\n\n');
    } finally {
      inFlight.now--;
    }
  }

  async function embeddings(res: ServerResponse, body: Record<string, unknown>, signal: AbortSignal) {
    const model = options.embeddings;
    if (!model || body.model !== model.modelId)
      return sendError(res, 404, `The model \`${String(body.model)}\` does not exist`, 'model_not_found');
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || !input.every((t) => typeof t === 'string'))
      return sendError(res, 400, 'input: expected a string or a non-empty array of strings');
    const max = options.maxEmbeddingInputs;
    if (max !== undefined && input.length > max)
      return sendError(res, 400, `'input' : maximum ${max} inputs per request, got ${input.length}`);
    const result = await model.embed({ texts: input, inputType: 'document', signal });
    const base64 = body.encoding_format === 'base64';
    const tokens = result.usage?.tokens ?? input.reduce((n, t) => n + (t.match(/\S+/g)?.length ?? 0), 0);
    sendJson(res, 200, {
      object: 'list',
      model: model.modelId,
      data: result.embeddings.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: base64
          ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
          : Array.from(v),
      })),
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const raw = await readBody(req);
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`)
      return sendError(res, 401, 'Incorrect API key provided', 'invalid_api_key');
    if (req.method === 'GET' && path === '/v1/models') {
      const ids = [options.chat?.modelId, options.embeddings?.modelId].filter((id) => id !== undefined);
      return sendJson(res, 200, { object: 'list', data: ids.map((id) => ({ id, object: 'model' })) });
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return sendError(res, 400, 'We could not parse the JSON body of your request.');
    }
    requests.push({ path, body, headers: req.headers });
    const fault = faults.shift();
    if (fault) {
      return sendJson(
        res,
        fault.status,
        {
          error: {
            message: fault.message ?? `HTTP ${fault.status}`,
            type: 'server_error',
            code: fault.code ?? null,
          },
        },
        { ...fault.headers },
      );
    }
    // A client that goes away stops its generation, as real servers do.
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort();
    });
    try {
      if (req.method === 'POST' && path === '/v1/chat/completions')
        return await chat(res, body, controller.signal);
      if (req.method === 'POST' && path === '/v1/embeddings')
        return await embeddings(res, body, controller.signal);
    } catch (error) {
      if (controller.signal.aborted) return void res.destroy();
      if (res.headersSent) return void res.destroy();
      return sendError(res, 500, error instanceof Error ? error.message : String(error));
    }
    sendError(res, 404, `no route ${req.method} ${path}`);
  }

  const server = await startLocalServer(handle);
  return { ...server, baseURL: `${server.url}/v1`, requests, faults, inFlight };
}
