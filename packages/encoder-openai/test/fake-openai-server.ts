import type { IncomingMessage, ServerResponse } from 'node:http';
import { createHashingEncoder } from '@ragloom/core';
import { type LocalServer, readBody, startLocalServer } from '@ragloom/test-utils';

/** One item of a `/v1/embeddings` answer's `data`. */
export interface EmbeddingItem {
  readonly object: 'embedding';
  readonly index: number;
  readonly embedding: string | number[];
}

/** What the fake server received, per request. */
export interface ReceivedRequest {
  readonly body: Record<string, unknown>;
  readonly authorization: string | undefined;
}

export interface FakeOpenAIServer {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The next `count` requests fail with this status / body / headers (before rate limiting and validation). */
  failNext(
    count: number,
    status: number,
    error: Record<string, unknown>,
    headers?: Record<string, string>,
  ): void;
  /** Delay every answer by this long (timeouts). */
  delayMs: number;
  /**
   * Delay answers by a further 0…jitterMs, varying from request to request, so that answers to
   * concurrent requests arrive in another order than the requests were sent.
   */
  jitterMs: number;
  /** A token bucket: at most `requests` per `windowMs`; over it → 429 with Retry-After / retry-after-ms. */
  rateLimit: { requests: number; windowMs: number } | undefined;
  /** Most inputs one request may carry (OpenAI: 2048). */
  maxInputs: number;
  /** Longest input in (approximate) tokens. */
  maxTokens: number;
  /** Answer with vectors of this length regardless of the model (a misconfigured server). */
  forceDimension: number | undefined;
  /** Rewrites the `data` array of a successful answer (a server that drops, repeats or reorders items). */
  rewriteData: ((data: EmbeddingItem[]) => EmbeddingItem[]) | undefined;
  /** The vector this server returns for a text at a dimension (before any base64 round trip). */
  expected(text: string, dimension: number): Promise<Float32Array>;
  close(): Promise<void>;
}

export const API_KEY = 'sk-test-ragloom';
const MODELS: Record<string, { dimension: number; reducible: boolean }> = {
  'text-embedding-3-small': { dimension: 1536, reducible: true },
  'text-embedding-3-large': { dimension: 3072, reducible: true },
  'local-model': { dimension: 96, reducible: false },
};

/** Tokens as a BPE tokenizer would roughly count them: a token per ~4 Latin characters, one per CJK character. */
const approxTokens = (text: string) => {
  let latin = 0;
  let other = 0;
  for (const ch of text) {
    if (ch.codePointAt(0)! < 0x2e80) latin++;
    else other++;
  }
  return Math.ceil(latin / 4) + other;
};

/**
 * A small but faithful `/v1/embeddings`: bearer auth, request validation with OpenAI's error body shape
 * (`{ error: { message, type, param, code } }`), `dimensions` for text-embedding-3 models only, `encoding_format` float or base64 (little-endian float32), `usage`, a context limit, a max
 * input count, and rate limiting with Retry-After. Vectors come from core's hashing encoder at the
 * answered length, so tests know them.
 */
export async function startFakeOpenAIServer(): Promise<FakeOpenAIServer> {
  const requests: ReceivedRequest[] = [];
  const failures: Array<{ status: number; error: Record<string, unknown>; headers: Record<string, string> }> =
    [];
  // Dense, deterministic stand-in vectors: core's hashing encoder at the requested length.
  const vectorFor = async (text: string, dimension: number): Promise<Float32Array> => {
    const [v] = (await createHashingEncoder({ dimension }).embed({ texts: [text], inputType: 'document' }))
      .embeddings;
    return v!;
  };
  const windowStarts: number[] = [];
  const error = (
    res: ServerResponse,
    status: number,
    message: string,
    extra: Record<string, unknown> = {},
  ) => {
    res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
    res.end(
      JSON.stringify({
        error: { message, type: 'invalid_request_error', param: null, code: null, ...extra },
      }),
    );
  };

  const state = {
    delayMs: 0,
    jitterMs: 0,
    rateLimit: undefined as FakeOpenAIServer['rateLimit'],
    maxInputs: 2048,
    maxTokens: 8192,
    forceDimension: undefined as number | undefined,
    rewriteData: undefined as FakeOpenAIServer['rewriteData'],
  };

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    if (req.method !== 'POST' || req.url !== '/v1/embeddings') {
      return error(res, 404, `Invalid URL (${req.method} ${req.url})`);
    }
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      return error(res, 400, 'We could not parse the JSON body of your request.');
    }
    requests.push({ body, authorization: req.headers.authorization });
    const jitter = state.jitterMs > 0 ? ((requests.length * 7919) % 101) / 100 : 0;
    const delay = state.delayMs + jitter * state.jitterMs;
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    if (req.headers.authorization !== `Bearer ${API_KEY}`) {
      return error(
        res,
        401,
        'Incorrect API key provided: sk-wr***. You can find your API key at the dashboard.',
        {
          code: 'invalid_api_key',
        },
      );
    }
    const failure = failures.shift();
    if (failure) {
      res.writeHead(failure.status, { 'content-type': 'application/json', ...failure.headers });
      res.end(JSON.stringify({ error: failure.error }));
      return;
    }
    if (state.rateLimit) {
      const now = Date.now();
      while (windowStarts.length > 0 && now - windowStarts[0]! >= state.rateLimit.windowMs)
        windowStarts.shift();
      if (windowStarts.length >= state.rateLimit.requests) {
        const waitMs = state.rateLimit.windowMs - (now - windowStarts[0]!);
        res.writeHead(429, {
          'content-type': 'application/json',
          'retry-after': String(Math.ceil(waitMs / 1000)),
          'retry-after-ms': String(waitMs),
          'x-ratelimit-limit-requests': String(state.rateLimit.requests),
          'x-ratelimit-remaining-requests': '0',
        });
        res.end(
          JSON.stringify({
            error: {
              message: `Rate limit reached for requests. Limit: ${state.rateLimit.requests} / window. Please try again in ${waitMs}ms.`,
              type: 'requests',
              param: null,
              code: 'rate_limit_exceeded',
            },
          }),
        );
        return;
      }
      windowStarts.push(now);
    }
    const model = MODELS[String(body.model)];
    if (!model) {
      return error(
        res,
        404,
        `The model \`${String(body.model)}\` does not exist or you do not have access to it.`,
        {
          code: 'model_not_found',
        },
      );
    }
    const input = typeof body.input === 'string' ? [body.input] : body.input;
    if (!Array.isArray(input) || input.length === 0 || input.some((t) => typeof t !== 'string' || t === '')) {
      return error(
        res,
        400,
        "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.",
        { param: 'input' },
      );
    }
    if (input.length > state.maxInputs) {
      return error(res, 400, `'input' array must contain at most ${state.maxInputs} items.`, {
        param: 'input',
      });
    }
    const tooLong = (input as string[]).map(approxTokens).find((n) => n > state.maxTokens);
    if (tooLong !== undefined) {
      return error(
        res,
        400,
        `This model's maximum context length is ${state.maxTokens} tokens, however you requested ${tooLong} tokens (${tooLong} in your prompt; 0 for the completion). Please reduce your prompt; or completion length.`,
      );
    }
    let dimension = model.dimension;
    if (body.dimensions !== undefined) {
      if (!model.reducible)
        return error(res, 400, 'This model does not support specifying dimensions.', { param: 'dimensions' });
      if (
        !Number.isInteger(body.dimensions) ||
        (body.dimensions as number) < 1 ||
        (body.dimensions as number) > model.dimension
      ) {
        return error(res, 400, `Invalid 'dimensions': must be between 1 and ${model.dimension}.`, {
          param: 'dimensions',
        });
      }
      dimension = body.dimensions as number;
    }
    dimension = state.forceDimension ?? dimension;
    const format = body.encoding_format ?? 'float';
    if (format !== 'float' && format !== 'base64') {
      return error(res, 400, `Invalid value for 'encoding_format': '${String(format)}'.`, {
        param: 'encoding_format',
      });
    }
    const data: EmbeddingItem[] = [];
    for (const [index, text] of (input as string[]).entries()) {
      const v = await vectorFor(text, dimension);
      data.push({
        object: 'embedding',
        index,
        embedding:
          format === 'base64'
            ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64')
            : Array.from(v),
      });
    }
    const tokens = (input as string[]).reduce((n, t) => n + approxTokens(t), 0);
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': `req_${requests.length}` });
    res.end(
      JSON.stringify({
        object: 'list',
        data: state.rewriteData ? state.rewriteData(data) : data,
        model: body.model,
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      }),
    );
  };

  const server: LocalServer = await startLocalServer(handler);
  return Object.assign(state, {
    url: `${server.url}/v1`,
    requests,
    failNext(
      count: number,
      status: number,
      err: Record<string, unknown>,
      headers: Record<string, string> = {},
    ) {
      for (let i = 0; i < count; i++) failures.push({ status, error: err, headers });
    },
    expected: vectorFor,
    close: () => server.close(),
  }) as FakeOpenAIServer;
}
