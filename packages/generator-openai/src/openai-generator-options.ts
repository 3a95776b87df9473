import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { openAICompatibleOptions } from '@ragloom/openai-compatible';

/**
 * The part of an `openai` client this generator calls. Any `OpenAI` or `AzureOpenAI` instance fits, so users
 * can pass a client they configured themselves (Azure deployments, proxies, custom fetch).
 */
export interface ChatCompletionsClient {
  /** Where requests go, for messages (`OpenAI` and `AzureOpenAI` have it). */
  readonly baseURL?: string;
  readonly chat: {
    readonly completions: {
      // biome-ignore lint/suspicious/noExplicitAny: the SDK's overloaded `create` signature cannot be restated structurally
      create(body: any, options?: any): PromiseLike<any>;
    };
  };
}

const isChatCompletionsClient = (value: unknown): boolean =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { chat?: { completions?: { create?: unknown } } }).chat?.completions?.create ===
    'function';

/**
 * The generator's options, declared once: the shared OpenAI-compatible ones (`model`, `baseURL`, `apiKey`,
 * `headers`, `timeoutMs`, `maxRetries`, ... from `@ragloom/openai-compatible`) and the chat ones. The plugin
 * exposes the same declaration without what only code can pass.
 */
export const openAIGeneratorOptions = openAICompatibleOptions.extend({
  client: option
    .custom<ChatCompletionsClient>('an openai client (OpenAI, AzureOpenAI)', isChatCompletionsClient)
    .optional()
    .describe(
      'A client you built yourself (e.g. `new AzureOpenAI({...})`); then baseURL/apiKey/headers/fetch are not used.',
    ),
  provider: option
    .string()
    .default('openai')
    .describe(
      'Reported as `provider` (e.g. `vllm`, `ollama`); also the key read from `providerOptions`. Default `openai`.',
    ),
  maxTokensField: option
    .enum(['max_tokens', 'max_completion_tokens'])
    .default('max_tokens')
    .describe(
      "Which body field carries `maxTokens`: `max_tokens` (every compatible server) or `max_completion_tokens` (OpenAI's reasoning models).",
    ),
  sendTopK: option
    .boolean()
    .default(false)
    .describe(
      'Send `topK` as `top_k` (vLLM, llama.cpp, LM Studio, Ollama; OpenAI rejects it). Default false: dropped with a warning.',
    ),
  streamUsage: option
    .boolean()
    .default(true)
    .describe('Ask for token usage on streams (`stream_options.include_usage`). Default true.'),
  maxServerStopSequences: option
    .integer({ min: 0 })
    .default(4)
    .describe(
      'How many stop sequences the server takes (OpenAI: 4); all are also matched on the client. Default 4.',
    ),
  extraBody: option
    .record(option.unknown())
    .optional()
    .describe('Fields merged into every request body (`{ "repetition_penalty": 1.1 }` for vLLM).'),
  onWarning: option.function<(message: string) => void>().optional(),
});

/** What `createOpenAIGenerator` takes (defaults optional). */
export type OpenAIGeneratorOptions = InferOptionsInput<typeof openAIGeneratorOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedOpenAIGeneratorOptions = InferOptions<typeof openAIGeneratorOptions>;
