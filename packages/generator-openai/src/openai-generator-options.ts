import type { RetryEvent } from '@ragloom/core';

/**
 * The part of an `openai` client this generator calls. Any `OpenAI` or `AzureOpenAI` instance fits, so users
 * can pass a client they configured themselves (Azure deployments, proxies, custom fetch).
 */
export interface ChatCompletionsClient {
  readonly chat: {
    readonly completions: {
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's overloaded `create` signature cannot be restated structurally
      create(body: any, options?: any): PromiseLike<any>;
    };
  };
}

export interface OpenAIGeneratorOptions {
  /** Model name sent as `model`, e.g. `gpt-4o-mini`, `Qwen/Qwen2.5-7B-Instruct` (vLLM), `llama3.2` (Ollama). */
  readonly model: string;
  /** Base URL of the OpenAI-compatible API, e.g. `http://localhost:8000/v1`. Default: the SDK's (OpenAI, or `OPENAI_BASE_URL`). */
  readonly baseURL?: string;
  /** API key. Default: `OPENAI_API_KEY`; local servers that need none get a placeholder. */
  readonly apiKey?: string;
  readonly organization?: string;
  readonly project?: string;
  /** Extra headers on every request. */
  readonly headers?: Readonly<Record<string, string>>;
  /** A client you built yourself (e.g. `new AzureOpenAI({...})`). When set, baseURL/apiKey/headers/fetch are ignored. */
  readonly client?: ChatCompletionsClient;
  /** A fetch implementation for the SDK (proxies, tests). */
  readonly fetch?: typeof globalThis.fetch;
  /** Name reported as `provider` (default `openai`), e.g. `vllm`, `ollama`. Also the key read from `providerOptions`. */
  readonly provider?: string;
  /**
   * Per attempt: milliseconds until the response starts and, when streaming, the longest silence between two
   * chunks. A timeout fails with `TIMEOUT` (retried like a 5xx when no text was emitted yet). Default 600000.
   */
  readonly timeout?: number;
  /** Retries after a 408/409/429/5xx or a connection error, with exponential backoff. Default 2. */
  readonly maxRetries?: number;
  /** First backoff delay in ms (doubles each retry, with up to 25% jitter). Default 500. */
  readonly initialRetryDelayMs?: number;
  /** Longest backoff delay in ms. Default 8000. */
  readonly maxRetryDelayMs?: number;
  /**
   * The longest `Retry-After` (or `retry-after-ms`) the generator waits for. A server asking for longer fails
   * the call at once with `RATE_LIMITED` (`details.retryAfterMs` says how long to wait). Default 60000.
   */
  readonly maxRetryAfterMs?: number;
  /** Called before each retry with the attempt, the delay and the error that caused it. */
  readonly onRetry?: (event: RetryEvent) => void;
  /**
   * Which body field carries `maxTokens`. `max_tokens` (default) is understood by every compatible server;
   * OpenAI's reasoning models need `max_completion_tokens`.
   */
  readonly maxTokensField?: 'max_tokens' | 'max_completion_tokens';
  /**
   * Send `topK` as `top_k` (vLLM, llama.cpp, LM Studio and Ollama accept it; OpenAI rejects it). Default false:
   * `topK` is dropped and reported through `onWarning`.
   */
  readonly sendTopK?: boolean;
  /**
   * Ask for token usage on streams (`stream_options.include_usage`). Default true; turn off for servers that
   * reject the field. Without it, streamed usage counts are 0.
   */
  readonly streamUsage?: boolean;
  /**
   * How many stop sequences the server takes (OpenAI: 4). The first ones are sent; all of them are also
   * matched on the client, so every stop sequence is honoured. Default 4.
   */
  readonly maxServerStopSequences?: number;
  /** Fields merged into every request body (e.g. `{ repetition_penalty: 1.1 }` for vLLM). */
  readonly extraBody?: Readonly<Record<string, unknown>>;
  /** Called when a request option cannot be honoured by this provider (e.g. `topK` without `sendTopK`). */
  readonly onWarning?: (message: string) => void;
}
