import {
  abortError,
  createStopSequenceMatcher,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type GeneratorV1,
  RagloomError,
  type RetryPolicy,
  type TokenUsage,
  throwIfAborted,
  validateGenerateRequest,
  withRetries,
} from '@ragloom/core';
import OpenAI from 'openai';
import { type AttemptTimeout, createAttemptTimeout } from './attempt-timeout.js';
import { chatCompletionBody } from './chat-completion-body.js';
import { mapFinishReason } from './map-finish-reason.js';
import { type ErrorContext, toRagloomError } from './openai-error.js';
import type { ChatCompletionsClient, OpenAIGeneratorOptions } from './openai-generator-options.js';

const DEFAULT_TIMEOUT_MS = 600_000;

/** The subset of a chat completion (streamed chunk or whole response) that is read. */
interface CompletionChoice {
  readonly delta?: { readonly content?: string | null };
  readonly message?: { readonly content?: string | null };
  readonly finish_reason?: string | null;
}
interface CompletionPayload {
  readonly choices?: readonly CompletionChoice[];
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
}

function toUsage(usage: CompletionPayload['usage']): TokenUsage {
  const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0);
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

function createClient(options: OpenAIGeneratorOptions): ChatCompletionsClient {
  if (options.client) return options.client;
  const apiKey = options.apiKey ?? process.env.OPENAI_API_KEY;
  if (!apiKey && !options.baseURL && !process.env.OPENAI_BASE_URL) {
    throw new RagloomError(
      'INVALID_CONFIG',
      'no API key for OpenAI: pass `apiKey` or set OPENAI_API_KEY (or pass `baseURL` for a local server)',
      { details: { field: 'apiKey' } },
    );
  }
  return new OpenAI({
    // Local servers (vLLM, llama.cpp, Ollama) accept any key; the SDK insists on one.
    apiKey: apiKey || 'no-key',
    baseURL: options.baseURL,
    organization: options.organization ?? null,
    project: options.project ?? null,
    defaultHeaders: options.headers,
    fetch: options.fetch,
    // ragloom retries itself, so it can honour Retry-After, report retries and stop on abort.
    maxRetries: 0,
    timeout: options.timeout ?? DEFAULT_TIMEOUT_MS,
  });
}

function validateOptions(options: OpenAIGeneratorOptions): void {
  if (typeof options?.model !== 'string' || options.model.trim() === '') {
    throw new RagloomError('INVALID_CONFIG', '`model` must be a non-empty string', {
      details: { field: 'model' },
    });
  }
  const positive = (field: keyof OpenAIGeneratorOptions, allowZero: boolean) => {
    const value = options[field];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < (allowZero ? 0 : 1)) {
      throw new RagloomError(
        'INVALID_CONFIG',
        `\`${field}\` must be a ${allowZero ? 'non-negative' : 'positive'} integer, got ${String(value)}`,
        {
          details: { field },
        },
      );
    }
  };
  positive('timeout', false);
  positive('maxRetries', true);
  positive('initialRetryDelayMs', true);
  positive('maxRetryDelayMs', true);
  positive('maxRetryAfterMs', true);
  positive('maxServerStopSequences', true);
}

/**
 * A Generator for any OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI (pass an `AzureOpenAI`
 * client), vLLM, llama.cpp server, Ollama, LM Studio, Groq. `generate` uses one JSON response, `stream` reads
 * server-sent events; both map finish reasons, usage and errors onto ragloom's contract.
 */
export function createOpenAIGenerator(options: OpenAIGeneratorOptions): GeneratorV1 {
  validateOptions(options);
  const client = createClient(options);
  const provider = options.provider ?? 'openai';
  const timeoutMs = options.timeout ?? DEFAULT_TIMEOUT_MS;
  const context: ErrorContext = {
    endpoint: options.baseURL ?? (client as { baseURL?: string }).baseURL ?? 'the OpenAI API',
    model: options.model,
  };
  const policy: RetryPolicy = {
    maxRetries: options.maxRetries ?? 2,
    initialDelayMs: options.initialRetryDelayMs ?? 500,
    maxDelayMs: options.maxRetryDelayMs ?? 8000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    onRetry: options.onRetry,
  };

  /** Turns whatever ended an attempt into the error the caller should see. */
  function failure(error: unknown, timer: AttemptTimeout, signal: AbortSignal | undefined): RagloomError {
    if (signal?.aborted) return abortError(signal, 'generation');
    if (timer.timedOut) {
      return new RagloomError(
        'TIMEOUT',
        `${context.endpoint} (model ${context.model}) sent nothing for ${timeoutMs} ms`,
        {
          cause: error,
          retryable: true,
          details: { timeoutMs },
        },
      );
    }
    return toRagloomError(error, context);
  }

  /** One request, retried on retryable failures until the response (or the stream's headers) arrive. */
  function request<T>(
    body: Record<string, unknown>,
    signal: AbortSignal | undefined,
  ): Promise<{ result: T; timer: AttemptTimeout }> {
    return withRetries(policy, signal, async () => {
      const timer = createAttemptTimeout(timeoutMs, signal);
      try {
        const result = (await client.chat.completions.create(body, {
          signal: timer.signal,
          maxRetries: 0,
          timeout: timeoutMs,
        })) as T;
        return { result, timer };
      } catch (error) {
        timer.dispose();
        throw failure(error, timer, signal);
      }
    });
  }

  async function* stream(req: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    validateGenerateRequest(req);
    throwIfAborted(req.signal, 'generation');
    const stops = createStopSequenceMatcher(req.stop);
    const body = chatCompletionBody(options, provider, req, true);
    const { result: chunks, timer } = await request<AsyncIterable<CompletionPayload>>(body, req.signal);
    let finishReason: FinishReason | undefined;
    let usage: CompletionPayload['usage'];
    try {
      try {
        for await (const chunk of chunks) {
          // Chunks already buffered must not leak out after an abort.
          if (req.signal?.aborted) break;
          timer.touch();
          if (chunk.usage) usage = chunk.usage;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const content = choice.delta?.content;
          if (content) {
            const { text, stopped } = stops.push(content);
            if (text) yield { type: 'text-delta', delta: text };
            if (stopped) {
              finishReason = 'stop';
              break; // leaving the SDK's iterator aborts the request
            }
          }
          if (choice.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
        }
      } catch (error) {
        throw failure(error, timer, req.signal);
      }
      // The SDK ends the iteration quietly when its signal fires; find out why it ended.
      if (req.signal?.aborted || timer.timedOut) throw failure(undefined, timer, req.signal);
    } finally {
      timer.dispose();
    }
    if (finishReason === undefined) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${context.endpoint} (model ${context.model}) closed the stream before a finish_reason`,
        { retryable: true },
      );
    }
    const rest = stops.flush();
    if (rest) yield { type: 'text-delta', delta: rest };
    yield { type: 'finish', finishReason, usage: toUsage(usage) };
  }

  async function generate(req: GenerateRequest): Promise<GenerateResult> {
    validateGenerateRequest(req);
    throwIfAborted(req.signal, 'generation');
    const body = chatCompletionBody(options, provider, req, false);
    const { result, timer } = await request<CompletionPayload>(body, req.signal);
    timer.dispose();
    const choice = result?.choices?.[0];
    if (!choice) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${context.endpoint} (model ${context.model}) returned no choices`,
        {
          details: { response: result },
        },
      );
    }
    const stops = createStopSequenceMatcher(req.stop);
    const pushed = stops.push(choice.message?.content ?? '');
    const text = pushed.text + stops.flush();
    const finishReason = pushed.stopped ? 'stop' : mapFinishReason(choice.finish_reason);
    return { text, finishReason, usage: toUsage(result.usage) };
  }

  return {
    specificationVersion: 'v1',
    provider,
    modelId: options.model,
    generate,
    stream,
  };
}
