import type { ChatMessage } from '@ragloom/core';
import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { onnxModelOptionShape } from '@ragloom/onnx-model';

/**
 * The generator's options, declared once: the shared ONNX model and hub options (`model`, `dtype`, `revision`,
 * `cacheDir`, ... from `@ragloom/onnx-model`) and the generator's own. `createOnnxGenerator` checks them with
 * `parseOptions`; the plugin exposes the same declaration without what only code can pass. `dtype`,
 * `modelFileName`, `subfolder` and `modelFile` choose the ONNX file as transformers.js does; without
 * `modelFileName`, `onnx/model{suffix}.onnx` is used, else an Optimum merged decoder
 * `onnx/decoder_model_merged{suffix}.onnx`.
 */
export const onnxGeneratorOptions = option.object({
  ...onnxModelOptionShape,
  chatTemplate: option
    .union([option.string(), option.function<(messages: readonly ChatMessage[]) => string>()])
    .optional()
    .describe(
      "How messages become a prompt. Default: the model's chat_template, or for models without one the plain " +
        "fallback. A Jinja string or a function overrides it; 'plain' forces the fallback.",
    ),
  contextOverflow: option
    .enum(['error', 'truncate-start'])
    .default('error')
    .describe(
      "A prompt that leaves no room in the context: 'error' (default) fails with CONTEXT_LENGTH_EXCEEDED; " +
        "'truncate-start' drops the oldest prompt tokens (keeping a leading BOS).",
    ),
  contextLength: option
    .integer({ min: 1 })
    .optional()
    .describe("Lower the context length below the model's (saves memory on long-context models)."),
  maxTokens: option
    .integer({ min: 1 })
    .optional()
    .describe(
      "Default for requests without maxTokens (else generation_config's max_new_tokens, else the context).",
    ),
  promptLookup: option
    .union([
      option.boolean(),
      option.object({
        maxDraftTokens: option.integer({ min: 1 }).optional(),
        ngramSize: option.integer({ min: 1 }).optional(),
      }),
    ])
    .default(false)
    .describe(
      'Speculative decoding with prompt-lookup drafts (same tokens, up to float rounding in near-ties): true for ' +
        'the defaults, or { maxDraftTokens, ngramSize }. Off by default.',
    ),
});

/** What `createOnnxGenerator({ model, ... })` takes (defaults optional). */
export type OnnxGeneratorOptions = InferOptionsInput<typeof onnxGeneratorOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedOnnxGeneratorOptions = InferOptions<typeof onnxGeneratorOptions>;

/** Per-request options under `providerOptions.onnx`. */
export interface OnnxProviderOptions {
  /** Drop tokens less likely than minP × the top token's probability. */
  readonly minP?: number;
  /** CTRL repetition penalty (> 0; 1 = off). */
  readonly repetitionPenalty?: number;
}
