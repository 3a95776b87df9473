import type { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';

/** A LangChain chat model: any `BaseChatModel` (ChatOpenAI, ChatAnthropic, ChatOllama, ...). */
export type LangChainChatModel = Pick<BaseChatModel, 'invoke' | 'stream'>;

/**
 * Generation settings of one ragloom request that LangChain chat models take at construction (`maxTokens`,
 * `temperature`, `topP`, `topK` are constructor fields of ChatOpenAI, ChatAnthropic, ChatOllama, ChatGoogle...).
 */
export interface GenerationSettings {
  readonly maxTokens?: number;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly seed?: number;
}

const isChatModel = (value: unknown) =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as { invoke?: unknown }).invoke === 'function' &&
  typeof (value as { stream?: unknown }).stream === 'function';

export const langChainGeneratorOptions = option.object({
  model: option.custom<LangChainChatModel>(
    'a LangChain chat model (a BaseChatModel, with invoke and stream)',
    isChatModel,
  ),
  /**
   * Builds the model for a request that sets maxTokens, temperature, topP, topK or seed, e.g.
   * `(s) => new ChatOpenAI({ model: 'gpt-4o-mini', ...s })`. Without it such settings cannot reach a LangChain
   * model (they are not call options) and each is reported through `onWarning`.
   */
  withSettings: option.function<(settings: GenerationSettings) => LangChainChatModel>().optional(),
  modelId: option.string().describe('Reported as the generator\'s modelId, e.g. "openai:gpt-4o-mini".'),
  provider: option.string().default('langchain'),
  /** Extra LangChain call options on every call (tags, metadata, timeout, provider call options such as `seed`). */
  callOptions: option.record(option.unknown()).optional(),
  maxRetries: option
    .integer({ min: 0 })
    .optional()
    .describe("Overrides the model's own maxRetries for each call (LangChain retries inside the model)."),
  onWarning: option.function<(message: string) => void>().optional(),
});

export type LangChainGeneratorOptions = InferOptionsInput<typeof langChainGeneratorOptions>;
export type ParsedLangChainGeneratorOptions = InferOptions<typeof langChainGeneratorOptions>;
