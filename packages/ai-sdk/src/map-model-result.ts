import { type FinishReason, RagloomError, type TokenUsage } from '@ragloom/core';
import type { AiSdkCallContext } from './ai-sdk-error.js';
import type { AiSdkFinishReason, AiSdkUsage } from './ai-sdk-model-types.js';

/**
 * The AI SDK's unified finish reason → ragloom's. Tool calls are not part of Generator v1 (ragloom sends no
 * tools), so they are 'other'. `interrupted` (AI SDK 7: the provider's stream ended without a completion
 * signal) means the text may be cut short: an UPSTREAM_ERROR, as when an OpenAI stream closes early.
 */
export function finishReasonOf(reason: AiSdkFinishReason, context: AiSdkCallContext): FinishReason {
  const unified = typeof reason === 'string' ? reason : reason?.unified;
  switch (unified) {
    case 'stop':
    case 'length':
    case 'content-filter':
    case 'error':
    case 'other':
      return unified;
    case 'interrupted':
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${context.provider} (model ${context.modelId}) ended the stream without completing the answer`,
        { retryable: true, details: { finishReason: reason } },
      );
    default:
      return 'other';
  }
}

const tokenCount = (value: AiSdkUsage['inputTokens']): number => {
  const n = typeof value === 'number' ? value : value?.total;
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0;
};

/** Token usage from V3/V4 (`inputTokens.total`) or plain-number usage; counts a provider omits are 0. */
export function usageOf(usage: AiSdkUsage | undefined): TokenUsage {
  const promptTokens = tokenCount(usage?.inputTokens);
  const completionTokens = tokenCount(usage?.outputTokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
