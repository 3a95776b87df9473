import type { FinishReason, TokenUsage } from '@ragloom/core';

/**
 * Providers report why they stopped under different keys and words (OpenAI `finish_reason: 'length'`, Anthropic
 * `stop_reason: 'max_tokens'`, Google `finishReason: 'MAX_TOKENS'`, Ollama `done_reason`); LangChain passes them
 * on in `response_metadata`. Unknown or missing → 'other' (a model that does not say is not claimed to have
 * ended naturally).
 */
const REASONS: Readonly<Record<string, FinishReason>> = {
  stop: 'stop',
  end_turn: 'stop',
  stop_sequence: 'stop',
  eos: 'stop',
  length: 'length',
  max_tokens: 'length',
  max_output_tokens: 'length',
  content_filter: 'content-filter',
  safety: 'content-filter',
  recitation: 'content-filter',
  blocklist: 'content-filter',
  prohibited_content: 'content-filter',
  refusal: 'content-filter',
  error: 'error',
};

export function finishReasonOf(metadata: Readonly<Record<string, unknown>> | undefined): FinishReason {
  const raw =
    metadata?.finish_reason ?? metadata?.stop_reason ?? metadata?.finishReason ?? metadata?.done_reason;
  if (typeof raw !== 'string') return 'other';
  return REASONS[raw.toLowerCase()] ?? 'other';
}

/** LangChain's `usage_metadata` (`input_tokens`, `output_tokens`) as ragloom usage; missing counts are 0. */
export function usageOf(
  usage: { readonly input_tokens?: unknown; readonly output_tokens?: unknown } | undefined,
): TokenUsage {
  const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0);
  const promptTokens = count(usage?.input_tokens);
  const completionTokens = count(usage?.output_tokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}
