import type { FinishReason } from '@ragloom/core';

/** OpenAI's finish_reason → ours. Tool calls are not part of Generator v1, so they map to 'other'. */
export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
    case 'eos': // some llama.cpp builds
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content-filter';
    default:
      return 'other';
  }
}
