import type { RetryEvent } from '@ragloom/core';
import { type InferOptions, option } from '@ragloom/core/adapter';

/** Where requests go when neither `baseURL` nor `$OPENAI_BASE_URL` says otherwise. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * The options every OpenAI-compatible adapter takes, declared once: the endpoint, the key, the transport
 * (timeouts, retries) and the code-only hooks. An adapter extends this with its own fields
 * (`openAICompatibleOptions.extend({ dimensions: ... })`), so the names, limits and defaults are the same in
 * the encoder and the generator.
 */
export const openAICompatibleOptions = option.object({
  model: option
    .string()
    .describe(
      'The model the endpoint serves: `text-embedding-3-small`, `gpt-4o-mini`, what vLLM or Ollama call it.',
    ),
  baseURL: option
    .url()
    .optional()
    .describe(
      'The API root, e.g. `http://localhost:11434/v1`. Default: $OPENAI_BASE_URL, else https://api.openai.com/v1. ' +
        'With a base URL the key may be left out (local servers): then no Authorization header is sent.',
    ),
  apiKey: option
    .string()
    .optional()
    .describe(
      'Sent as `Authorization: Bearer <key>`. Default: $OPENAI_API_KEY. Required only for api.openai.com.',
    ),
  organization: option.string().optional().describe('Sent as `OpenAI-Organization`.'),
  project: option.string().optional().describe('Sent as `OpenAI-Project`.'),
  headers: option
    .record(option.string({ minLength: 0 }))
    .optional()
    .describe('Extra headers on every request (`{ "X-Title": "my-app" }`); not for keys (use apiKeyEnv).'),
  timeoutMs: option
    .integer({ min: 1 })
    .default(600_000)
    .describe(
      'Per attempt: how long the server may send nothing — until the response starts and, when streaming, ' +
        'between two chunks — before the attempt fails with TIMEOUT (retried). Default 600000, the SDK default.',
    ),
  maxRetries: option
    .integer({ min: 0 })
    .default(2)
    .describe(
      'Retries after 408, 409, 429, 5xx, timeouts and dropped connections (unless the server sends x-should-retry: false). Default 2.',
    ),
  initialRetryDelayMs: option
    .integer({ min: 0 })
    .default(500)
    .describe('The first backoff delay; it doubles per retry (up to 25% jitter below). Default 500.'),
  maxRetryDelayMs: option
    .integer({ min: 0 })
    .default(8_000)
    .describe('The longest backoff delay. Default 8000.'),
  maxRetryAfterMs: option
    .integer({ min: 0 })
    .default(60_000)
    .describe(
      'The longest `retry-after-ms` / `Retry-After` waited for; a server asking for longer fails the call at once ' +
        'with RATE_LIMITED and `details.retryAfterMs`. Default 60000.',
    ),
  onRetry: option.function<(event: RetryEvent) => void>().optional(),
  fetch: option.function<typeof globalThis.fetch>().optional(),
});

/** The shared options as an adapter's factory has them after `parseOptions` (defaults filled in). */
export type OpenAICompatibleSettings = InferOptions<typeof openAICompatibleOptions>;

/**
 * The plugin's stand-in for `apiKey`: keys never go in config files, the config names the environment variable
 * (`withApiKeyFromEnv(options, context, 'OPENAI_API_KEY')` reads it).
 */
export const apiKeyEnvOption = option
  .string()
  .optional()
  .describe('The environment variable holding the API key. Default OPENAI_API_KEY.');
