import type { LoadOnnxModelOptions } from '@ragloom/onnx-model';
import type { ChatTemplateOption } from './chat-template.js';
import type { PromptLookupOptions } from './prompt-lookup.js';

/**
 * `dtype`, `modelFileName`, `subfolder` and `modelFile` choose the ONNX file as transformers.js does; without
 * `modelFileName`, `onnx/model{suffix}.onnx` is used, else an Optimum merged decoder
 * `onnx/decoder_model_merged{suffix}.onnx`.
 */
export interface OnnxGeneratorOptions
  extends Omit<LoadOnnxModelOptions, 'expectGraph' | 'optionalFiles' | 'baseNames'> {
  /** Reported as `modelId` (default: the model reference). */
  readonly modelId?: string;
  /**
   * How messages become a prompt. Default: the model's `chat_template` (tokenizer_config.json), or, for models
   * without one, the plain fallback (message contents joined by blank lines). A Jinja string or a function
   * overrides it; `'plain'` forces the fallback.
   */
  readonly chatTemplate?: ChatTemplateOption;
  /**
   * A prompt that leaves no room in the context: `'error'` (default) fails with `CONTEXT_LENGTH_EXCEEDED`;
   * `'truncate-start'` drops the oldest prompt tokens (keeping a leading BOS) so that `maxTokens` (or a quarter
   * of the context) fits.
   */
  readonly contextOverflow?: 'error' | 'truncate-start';
  /** Lower the context length below the model's (saves memory on long-context models). */
  readonly contextLength?: number;
  /** Default for requests without `maxTokens` (else generation_config's `max_new_tokens`, else the context). */
  readonly maxTokens?: number;
  /**
   * Speculative decoding with prompt-lookup drafts: when the text repeats spans of the prompt or of itself (RAG
   * answers quoting their sources, code edits, summaries), several tokens come out of one model run. The tokens
   * are the same as without it, up to float rounding in near-ties. `true` for the defaults, or tune it. Off by default.
   */
  readonly promptLookup?: boolean | PromptLookupOptions;
}

/** Per-request options under `providerOptions.onnx`. */
export interface OnnxProviderOptions {
  /** Drop tokens less likely than minP × the top token's probability. */
  readonly minP?: number;
  /** CTRL repetition penalty (> 0; 1 = off). */
  readonly repetitionPenalty?: number;
}
