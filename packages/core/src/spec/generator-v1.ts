import type { SpecificationVersion } from './shared-types.js';

export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

export interface GenerateRequest {
  readonly messages: readonly ChatMessage[];
  /** Upper bound on generated tokens. */
  readonly maxTokens?: number;
  /** 0 = greedy. */
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  /** Same seed + same request → same text (where the provider supports it). */
  readonly seed?: number;
  /** Generation ends before the first occurrence of any of these; the sequence itself is not returned. */
  readonly stop?: readonly string[];
  readonly signal?: AbortSignal;
  /** Options only one provider understands, keyed by provider name, e.g. `{ onnx: { minP: 0.05 } }`. */
  readonly providerOptions?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** 'stop': natural end or a stop sequence; 'length': maxTokens or the context limit. */
export type FinishReason = 'stop' | 'length' | 'content-filter' | 'error' | 'other';

export interface TokenUsage {
  readonly promptTokens: number;
  readonly completionTokens: number;
  readonly totalTokens: number;
}

export interface GenerateResult {
  readonly text: string;
  readonly finishReason: FinishReason;
  readonly usage: TokenUsage;
}

export type GenerateStreamPart =
  | { readonly type: 'text-delta'; readonly delta: string }
  | { readonly type: 'finish'; readonly finishReason: FinishReason; readonly usage: TokenUsage };

/**
 * Generator v1: chat-message text generation.
 *
 * Contract (checked by describeGeneratorConformance):
 * - `stream` yields text deltas, then exactly one `finish` part; the deltas concatenate to what `generate` returns;
 * - `maxTokens` is respected (finish reason 'length'); stop sequences end the text before the match ('stop');
 * - abort rejects (or ends the iteration with an error) with `ABORTED`, promptly;
 * - usage counts are non-negative integers and totalTokens = promptTokens + completionTokens;
 * - concurrent calls (streamed or not, seeded sampling included) return what they return one at a
 *   time, and aborting one leaves the others running.
 */
export interface GeneratorV1 {
  readonly specificationVersion: SpecificationVersion;
  readonly provider: string;
  readonly modelId: string;
  generate(request: GenerateRequest): Promise<GenerateResult>;
  stream(request: GenerateRequest): AsyncIterable<GenerateStreamPart>;
  close?(): Promise<void>;
}
