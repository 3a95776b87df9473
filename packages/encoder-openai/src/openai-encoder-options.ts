import type { RetryEvent } from '@ragloom/core';

/** The parts of an `openai` client the encoder uses; pass an `OpenAI` or `AzureOpenAI` instance as `client`. */
export interface EmbeddingsClient {
  readonly baseURL: string;
  readonly embeddings: {
    create(
      body: {
        model: string;
        input: string[];
        dimensions?: number;
        encoding_format: 'float' | 'base64';
        user?: string;
      },
      options?: { signal?: AbortSignal; timeout?: number; maxRetries?: number },
    ): PromiseLike<{
      data: Array<{ index: number; embedding: number[] | string }>;
      usage?: { prompt_tokens?: number; total_tokens?: number };
    }>;
  };
}

export interface OpenAIEncoderOptions {
  /** The embedding model, e.g. `text-embedding-3-small`, or what a local server calls its model. */
  readonly model: string;
  /** Default: `$OPENAI_BASE_URL`, else `https://api.openai.com/v1`. vLLM/LM Studio: `http://host:port/v1`. */
  readonly baseURL?: string;
  /** Default: `$OPENAI_API_KEY`. Local servers without auth accept any non-empty key. */
  readonly apiKey?: string;
  readonly organization?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** A ready client (e.g. `AzureOpenAI`); then baseURL/apiKey/organization/headers are not used. */
  readonly client?: EmbeddingsClient;
  /**
   * Ask the endpoint for shorter vectors (text-embedding-3 models); sent as `dimensions`. Servers whose models do
   * not support it answer with INVALID_ARGUMENT.
   */
  readonly dimensions?: number;
  /**
   * The model's vector length when `dimensions` is not sent and the model is not a known OpenAI model
   * (vLLM, Ollama, TEI...). Not sent to the server; responses of another length are an error.
   */
  readonly dimension?: number;
  /** The id written into index manifests. Default: `openai:<model>` (`openai:<model>@<dimensions>` when reduced). */
  readonly modelId?: string;
  /** Most inputs per request (OpenAI: 2048; TEI's default: 32). Default 2048. */
  readonly maxBatchSize?: number;
  /** Requests in flight at once when a call needs several batches. Default 1. */
  readonly concurrency?: number;
  /** Texts longer than this many characters are cut before sending. Default 32,768. */
  readonly maxInputChars?: number;
  /** Text put before queries / documents (e.g. `search_query: ` for nomic-embed-text on Ollama). */
  readonly prompts?: { readonly query?: string; readonly document?: string };
  /** L2-normalise vectors on the client (OpenAI's already are). Default true. */
  readonly normalize?: boolean;
  /** Wire format asked for: `base64` (default, compact, as the SDK does) or `float` for servers without base64. */
  readonly encodingFormat?: 'base64' | 'float';
  /** Retries on 429, 5xx, timeouts and connection errors. Default 3. */
  readonly maxRetries?: number;
  /** First backoff delay; doubles per retry, with jitter. Default 500 ms. */
  readonly initialRetryDelayMs?: number;
  /** Cap of one backoff delay. Default 8,000 ms. */
  readonly maxRetryDelayMs?: number;
  /** A server asking to wait longer than this (Retry-After) fails at once with RATE_LIMITED. Default 60,000 ms. */
  readonly maxRetryAfterMs?: number;
  /** Timeout of one HTTP attempt. Default 60,000 ms. */
  readonly timeoutMs?: number;
  readonly onRetry?: (event: RetryEvent) => void;
  /** Sent as `user` (OpenAI abuse monitoring). */
  readonly user?: string;
  /** Passed to the SDK (proxies, tests). */
  readonly fetch?: typeof fetch;
}
