import type { RetryEvent } from '@ragloom/core';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { type AiSdkLanguageModel, SUPPORTED_SPECIFICATIONS } from './ai-sdk-model-types.js';

const isModel =
  (method: string) =>
  (value: unknown): boolean =>
    typeof value === 'object' &&
    value !== null &&
    SUPPORTED_SPECIFICATIONS.some(
      (v) => v === (value as { specificationVersion?: unknown }).specificationVersion,
    ) &&
    typeof (value as Record<string, unknown>)[method] === 'function';

/** Options both adapters share: retries (as the AI SDK's `maxRetries`, with ragloom's backoff), headers, warnings. */
export const sharedModelOptions = {
  provider: option
    .string()
    .optional()
    .describe("Reported as the component's provider (default: the model's)."),
  maxRetries: option
    .integer({ min: 0 })
    .default(2)
    .describe('Retries after a 408/409/429/5xx or a connection error (the AI SDK default, 2).'),
  initialRetryDelayMs: option.integer({ min: 0 }).default(2000),
  maxRetryDelayMs: option.integer({ min: 0 }).default(30_000),
  maxRetryAfterMs: option
    .integer({ min: 0 })
    .default(60_000)
    .describe('A server asking to wait longer (Retry-After) fails at once with RATE_LIMITED.'),
  headers: option
    .record(option.string({ minLength: 0 }))
    .optional()
    .describe('Extra HTTP headers on every call.'),
  onRetry: option.function<(event: RetryEvent) => void>().optional(),
  onWarning: option.function<(message: string) => void>().optional(),
};

export const aiSdkGeneratorOptions = option.object({
  model: option.custom<AiSdkLanguageModel>(
    'an AI SDK language model (LanguageModelV3 from AI SDK 6 or LanguageModelV4 from AI SDK 7)',
    isModel('doStream'),
  ),
  modelId: option.string().optional().describe("Reported as the generator's modelId (default: the model's)."),
  ...sharedModelOptions,
});

/** What `createAiSdkGenerator` takes. */
export type AiSdkGeneratorOptions = InferOptionsInput<typeof aiSdkGeneratorOptions>;
export type ParsedAiSdkGeneratorOptions = InferOptions<typeof aiSdkGeneratorOptions>;

export { isModel };
