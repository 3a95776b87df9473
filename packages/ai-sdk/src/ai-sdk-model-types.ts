/**
 * The parts of the AI SDK provider spec (`@ai-sdk/provider`) this package calls, restated structurally: a
 * `LanguageModelV3` (AI SDK 6) or `LanguageModelV4` (AI SDK 7) is assignable to `AiSdkLanguageModel`, an
 * `EmbeddingModelV3`/`V4` to `AiSdkEmbeddingModel` (`test/model-types.test.ts` proves both with the SDKs' own
 * types). Restating them keeps `@ai-sdk/provider` out of this package's dependencies and declaration files, so
 * one build works with whichever major the user installed.
 */

export interface AiSdkTextPart {
  readonly type: 'text';
  readonly text: string;
}

/** The prompt messages ragloom sends: system text, and user/assistant turns of text parts. */
export type AiSdkPromptMessage =
  | { readonly role: 'system'; readonly content: string }
  | { readonly role: 'user' | 'assistant'; readonly content: AiSdkTextPart[] };

export interface AiSdkCallOptions {
  prompt: AiSdkPromptMessage[];
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  seed?: number;
  stopSequences?: string[];
  abortSignal?: AbortSignal;
  headers?: Record<string, string | undefined>;
  providerOptions?: Record<string, AiSdkJsonObject>;
}

export type AiSdkJsonObject = { [key: string]: AiSdkJsonValue | undefined };

export type AiSdkJsonValue = null | string | number | boolean | AiSdkJsonObject | AiSdkJsonValue[];

/** V3/V4 report `{ unified, raw }`; earlier betas reported the unified string itself. */
export type AiSdkFinishReason = string | { readonly unified: string; readonly raw?: string | undefined };

/** V3/V4 usage nests totals (`inputTokens.total`); earlier betas had plain numbers. */
export interface AiSdkUsage {
  readonly inputTokens?: number | { readonly total?: number | undefined } | undefined;
  readonly outputTokens?: number | { readonly total?: number | undefined } | undefined;
}

/** A warning a model reports for a call (an unsupported setting, ...); only its text is read. */
export interface AiSdkWarning {
  readonly type: string;
  readonly feature?: string;
  readonly setting?: string;
  readonly details?: string;
  readonly message?: string;
}

export interface AiSdkGenerateResult {
  readonly content: readonly { readonly type: string; readonly text?: string }[];
  readonly finishReason: AiSdkFinishReason;
  readonly usage: AiSdkUsage;
  readonly warnings?: readonly AiSdkWarning[];
}

export type AiSdkStreamPart =
  | { readonly type: 'text-delta'; readonly delta: string }
  | { readonly type: 'finish'; readonly finishReason: AiSdkFinishReason; readonly usage: AiSdkUsage }
  | { readonly type: 'error'; readonly error: unknown }
  | { readonly type: 'stream-start'; readonly warnings: readonly AiSdkWarning[] }
  | { readonly type: string };

export interface AiSdkLanguageModel {
  readonly specificationVersion: 'v3' | 'v4';
  readonly provider: string;
  readonly modelId: string;
  // Method syntax on purpose: parameters of methods are compared bivariantly, so the SDKs' models, whose call
  // options are wider than what ragloom sends, are assignable.
  doGenerate(options: AiSdkCallOptions): PromiseLike<AiSdkGenerateResult>;
  doStream(options: AiSdkCallOptions): PromiseLike<{ readonly stream: ReadableStream<AiSdkStreamPart> }>;
}

export interface AiSdkEmbedCallOptions {
  values: string[];
  abortSignal?: AbortSignal;
  headers?: Record<string, string>;
  providerOptions?: Record<string, AiSdkJsonObject>;
}

export interface AiSdkEmbeddingModel {
  readonly specificationVersion: 'v3' | 'v4';
  readonly provider: string;
  readonly modelId: string;
  /** Inputs one `doEmbed` call takes; `Infinity` or undefined for no limit. */
  readonly maxEmbeddingsPerCall: PromiseLike<number | undefined> | number | undefined;
  readonly supportsParallelCalls: PromiseLike<boolean> | boolean;
  doEmbed(options: AiSdkEmbedCallOptions): PromiseLike<{
    readonly embeddings: readonly (readonly number[])[];
    readonly usage?: { readonly tokens: number };
    readonly warnings?: readonly AiSdkWarning[];
  }>;
}

export const SUPPORTED_SPECIFICATIONS = ['v3', 'v4'] as const;
