import type { GenerateRequest, RetryPolicy } from '@ragloom/core';
import type { AiSdkCallContext } from './ai-sdk-error.js';
import type { AiSdkCallOptions, AiSdkPromptMessage, AiSdkWarning } from './ai-sdk-model-types.js';

/** The prompt of a ragloom chat: system messages as text, user and assistant turns as one text part each. */
export function promptOf(messages: GenerateRequest['messages']): AiSdkPromptMessage[] {
  return messages.map((m) =>
    m.role === 'system'
      ? { role: 'system', content: m.content }
      : { role: m.role, content: [{ type: 'text', text: m.content }] },
  );
}

/** A validated GenerateRequest as AI SDK call options (settings left out stay the provider's defaults). */
export function callOptionsFor(
  request: GenerateRequest,
  headers: Readonly<Record<string, string>> | undefined,
): AiSdkCallOptions {
  const options: AiSdkCallOptions = { prompt: promptOf(request.messages) };
  if (request.maxTokens !== undefined) options.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) options.temperature = request.temperature;
  if (request.topP !== undefined) options.topP = request.topP;
  if (request.topK !== undefined) options.topK = request.topK;
  if (request.seed !== undefined) options.seed = request.seed;
  const stops = request.stop?.filter((s) => s.length > 0) ?? [];
  if (stops.length > 0) options.stopSequences = stops;
  if (request.signal) options.abortSignal = request.signal;
  if (headers) options.headers = { ...headers };
  if (request.providerOptions) {
    // Both sides key provider options by provider name (`{ openai: { reasoningEffort: 'low' } }`). They cross a
    // JSON boundary in every HTTP provider anyway; the round trip drops what JSON cannot carry, as the wire would.
    options.providerOptions = JSON.parse(JSON.stringify(request.providerOptions));
  }
  return options;
}

/** The retry policy from the shared options. */
export function retryPolicy(options: {
  readonly maxRetries: number;
  readonly initialRetryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly maxRetryAfterMs: number;
  readonly onRetry?: RetryPolicy['onRetry'];
}): RetryPolicy {
  return {
    maxRetries: options.maxRetries,
    initialDelayMs: options.initialRetryDelayMs,
    maxDelayMs: options.maxRetryDelayMs,
    maxRetryAfterMs: options.maxRetryAfterMs,
    onRetry: options.onRetry,
  };
}

/** One line per warning a model reports: `openai.chat (model m): unsupported setting topK: ...`. */
export function warningText(warning: AiSdkWarning, context: AiSdkCallContext): string {
  const subject = warning.feature ?? warning.setting;
  const detail = warning.details ?? warning.message;
  return (
    `${context.provider} (model ${context.modelId}): ${warning.type}` +
    `${subject ? ` ${subject}` : ''}${detail ? `: ${detail}` : ''}`
  );
}
