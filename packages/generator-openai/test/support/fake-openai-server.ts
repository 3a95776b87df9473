import type { IncomingMessage, ServerResponse } from 'node:http';
import { seededRandom } from '@ragloom/core';
import { type LocalServer, readBody, startLocalServer } from '@ragloom/test-utils';

/**
 * An OpenAI chat-completions server for tests, speaking the wire protocol as OpenAI and vLLM do: JSON bodies,
 * OpenAI-shaped error bodies, server-sent events (`data: {...}\n\n`, a role chunk first, a finish chunk, an
 * optional usage chunk with empty `choices`, then `data: [DONE]`). Its "model" is a deterministic word-level
 * sampler, so tests can check max_tokens, stop, seed and usage exactly. Faults are queued per request.
 */

/** The fake model's vocabulary: ASCII words, Chinese and emoji, so multi-byte text crosses chunk boundaries. */
export const FAKE_VOCABULARY = [
  ' the',
  ' cat',
  ' sat',
  ' on',
  ' mat',
  ' and',
  ' then',
  ' 你好',
  '世界',
  ' 🙂',
  ' 👩‍💻',
  ' END',
  ' story',
  ',',
  '.',
] as const;
export const REPLY_TOKENS = 24;

export type Fault =
  /** Answer with this HTTP status and an OpenAI error body. */
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly code?: string;
      readonly type?: string;
      readonly message?: string;
      readonly headers?: Record<string, string>;
    }
  /** Wait before sending the response headers. */
  | { readonly kind: 'delay-headers'; readonly ms: number }
  /** Stream `afterTokens` tokens, then go silent with the connection open. */
  | { readonly kind: 'stall'; readonly afterTokens: number }
  /** Stream `afterTokens` tokens, then destroy the socket. */
  | { readonly kind: 'drop'; readonly afterTokens: number }
  /** Stream `afterTokens` tokens, then end the response cleanly without finish_reason or [DONE]. */
  | { readonly kind: 'truncate'; readonly afterTokens: number }
  /** Stream `afterTokens` tokens, then an `{"error": ...}` event (what OpenAI sends when it fails mid-stream). */
  | { readonly kind: 'error-event'; readonly afterTokens: number; readonly message: string }
  /** Send a body that is not JSON. */
  | { readonly kind: 'invalid-json' }
  /** Pause this long between streamed tokens. */
  | { readonly kind: 'slow-tokens'; readonly gapMs: number };

export interface FakeServerOptions {
  readonly apiKey?: string;
  readonly models?: readonly string[];
  /** Prompt tokens above this fail with context_length_exceeded. */
  readonly contextLength?: number;
  /** Bytes per socket write when streaming: 'event' writes whole events, a number splits them anywhere. */
  readonly chunkBytes?: 'event' | number;
  /** Use CRLF line endings and keep-alive comments in the event stream (legal SSE, sent by some proxies). */
  readonly crlfAndComments?: boolean;
  /** Ignore `stop` (some servers do), so the client has to cut. */
  readonly ignoreStop?: boolean;
  /** Never send usage, even when asked. */
  readonly noUsage?: boolean;
}

export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
}

export interface FakeOpenAIServer {
  readonly url: string;
  /** The base URL the SDK wants: `${url}/v1`. */
  readonly baseURL: string;
  readonly requests: RecordedRequest[];
  /** Faults for the next requests, consumed in order (one per request). */
  readonly faults: Fault[];
  /** What the model would answer, for expectations: the full token list before max_tokens/stop. */
  tokensFor(body: Record<string, unknown>): string[];
  close(): Promise<void>;
}

const hash = (text: string) => {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ (ch.codePointAt(0) ?? 0), 16777619) >>> 0;
  return h;
};

const words = (text: string) => (text.match(/\S+/g) ?? []).length;

interface Message {
  role: string;
  content: string;
}

function promptTokens(messages: readonly Message[]): number {
  return messages.reduce((n, m) => n + words(m.content) + 3, 3);
}

function modelTokens(body: Record<string, unknown>): string[] {
  const messages = body.messages as Message[];
  const prompt = messages.map((m) => `${m.role}:${m.content}`).join('\n');
  const temperature = typeof body.temperature === 'number' ? body.temperature : 1;
  // Greedy decoding depends on the prompt only; sampling on the seed too (or on nothing, without a seed).
  const random =
    temperature === 0
      ? seededRandom(hash(prompt))
      : seededRandom(
          typeof body.seed === 'number'
            ? hash(`${prompt}#${body.seed}`)
            : Math.floor(Math.random() * 2 ** 32),
        );
  const tokens: string[] = [];
  for (let i = 0; i < REPLY_TOKENS; i++)
    tokens.push(FAKE_VOCABULARY[Math.floor(random() * FAKE_VOCABULARY.length)] ?? '');
  return tokens;
}

interface Completion {
  tokens: string[];
  finishReason: 'stop' | 'length';
}

/** Applies max_tokens and stop the way OpenAI does: the stop string and everything after it are not returned. */
function complete(body: Record<string, unknown>, options: FakeServerOptions): Completion {
  const all = modelTokens(body);
  const max = (body.max_tokens ?? body.max_completion_tokens) as number | undefined;
  const limit = typeof max === 'number' ? Math.min(max, all.length) : all.length;
  const stops = options.ignoreStop
    ? []
    : (((typeof body.stop === 'string' ? [body.stop] : body.stop) as string[] | undefined) ?? []);
  const tokens: string[] = [];
  let text = '';
  for (let i = 0; i < limit; i++) {
    const token = all[i] ?? '';
    const next = text + token;
    const at = stops.map((s) => next.indexOf(s)).filter((p) => p !== -1);
    if (at.length > 0) {
      const cut = Math.min(...at);
      const kept = next.slice(text.length, cut);
      if (kept) tokens.push(kept);
      return { tokens, finishReason: 'stop' };
    }
    tokens.push(token);
    text = next;
  }
  return { tokens, finishReason: limit < all.length ? 'length' : 'stop' };
}

function sendError(
  res: ServerResponse,
  status: number,
  message: string,
  type: string,
  code: string | null,
  headers: Record<string, string> = {},
) {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function write(res: ServerResponse, text: string, chunkBytes: 'event' | number): Promise<void> {
  if (chunkBytes === 'event') {
    res.write(text);
    return;
  }
  // Split the UTF-8 bytes anywhere, mid-event and mid-character, and let each piece reach the socket alone.
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += chunkBytes) {
    res.write(bytes.subarray(i, i + chunkBytes));
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export async function startFakeOpenAIServer(options: FakeServerOptions = {}): Promise<FakeOpenAIServer> {
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];
  const models = options.models ?? ['fake-model'];
  let counter = 0;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    let body: Record<string, unknown> = {};
    try {
      body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return sendError(
        res,
        400,
        'We could not parse the JSON body of your request.',
        'invalid_request_error',
        null,
      );
    }
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      return sendError(res, 404, `Invalid URL (${req.method} ${req.url})`, 'invalid_request_error', null);
    }
    if (options.apiKey !== undefined && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, 401, 'Incorrect API key provided.', 'invalid_request_error', 'invalid_api_key');
    }
    const fault = faults.shift();
    if (fault?.kind === 'status') {
      return sendError(
        res,
        fault.status,
        fault.message ?? `fault ${fault.status}`,
        fault.type ?? 'server_error',
        fault.code ?? null,
        fault.headers,
      );
    }
    if (fault?.kind === 'delay-headers') await sleep(fault.ms);
    if (res.destroyed) return;
    if (typeof body.model !== 'string' || !models.includes(body.model)) {
      return sendError(
        res,
        404,
        `The model \`${String(body.model)}\` does not exist or you do not have access to it.`,
        'invalid_request_error',
        'model_not_found',
      );
    }
    const messages = body.messages;
    if (!Array.isArray(messages) || messages.length === 0) {
      return sendError(res, 400, "'messages' must be a non-empty array", 'invalid_request_error', null);
    }
    const prompt = promptTokens(messages as Message[]);
    if (options.contextLength !== undefined && prompt > options.contextLength) {
      return sendError(
        res,
        400,
        `This model's maximum context length is ${options.contextLength} tokens. However, your messages resulted in ${prompt} tokens.`,
        'invalid_request_error',
        'context_length_exceeded',
      );
    }
    if (fault?.kind === 'invalid-json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"id": "chatcmpl-broken", "choices": [');
      return;
    }
    const { tokens, finishReason } = complete(body, options);
    const usage = {
      prompt_tokens: prompt,
      completion_tokens: tokens.length,
      total_tokens: prompt + tokens.length,
    };
    const id = `chatcmpl-${++counter}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model;

    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: tokens.join(''), refusal: null },
              logprobs: null,
              finish_reason: finishReason,
            },
          ],
          ...(options.noUsage ? {} : { usage }),
        }),
      );
      return;
    }

    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const eol = options.crlfAndComments ? '\r\n' : '\n';
    const chunkBytes = options.chunkBytes ?? 'event';
    const event = (payload: unknown) =>
      write(
        res,
        `data: ${typeof payload === 'string' ? payload : JSON.stringify(payload)}${eol}${eol}`,
        chunkBytes,
      );
    const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      event({
        id,
        object: 'chat.completion.chunk',
        created,
        model,
        system_fingerprint: 'fp_fake',
        choices,
        ...extra,
      });

    if (options.crlfAndComments) await write(res, `: keep-alive${eol}${eol}`, chunkBytes);
    await chunk([
      { index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null },
    ]);
    for (let i = 0; i < tokens.length; i++) {
      if (fault && 'afterTokens' in fault && i === fault.afterTokens) {
        if (fault.kind === 'stall') return; // the connection stays open until the client gives up
        if (fault.kind === 'drop') {
          await sleep(20); // let the tokens so far reach the client first
          res.socket?.destroy();
          return;
        }
        if (fault.kind === 'truncate') {
          res.end();
          return;
        }
        if (fault.kind === 'error-event') {
          await event({ error: { message: fault.message, type: 'server_error', param: null, code: null } });
          res.end();
          return;
        }
      }
      if (fault?.kind === 'slow-tokens') await sleep(fault.gapMs);
      if (res.destroyed) return;
      await chunk([{ index: 0, delta: { content: tokens[i] }, logprobs: null, finish_reason: null }]);
      if (options.crlfAndComments && i % 5 === 4) await write(res, `: keep-alive${eol}${eol}`, chunkBytes);
    }
    await chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]);
    const streamOptions = body.stream_options as { include_usage?: boolean } | undefined;
    if (streamOptions?.include_usage && !options.noUsage) await chunk([], { usage });
    await event('[DONE]');
    res.end();
  }

  const server: LocalServer = await startLocalServer(handle);
  return {
    url: server.url,
    baseURL: `${server.url}/v1`,
    requests,
    faults,
    tokensFor: modelTokens,
    close: () => server.close(),
  };
}
