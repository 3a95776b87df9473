import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { onnxModelOptionShape } from '@ragloom/onnx-model';

/**
 * The encoder's options, declared once: the shared ONNX model and hub options (`model`, `dtype`, `revision`,
 * `cacheDir`, ... from `@ragloom/onnx-model`) and the encoder's own. `createOnnxEncoder` checks them with
 * `parseOptions`; the plugin exposes the same declaration without what only code can pass.
 */
export const onnxEncoderOptions = option.object({
  ...onnxModelOptionShape,
  pooling: option
    .enum(['mean', 'cls', 'max', 'mean_sqrt_len', 'last'])
    .optional()
    .describe('Pooling. Default: what modules.json / 1_Pooling/config.json say, else `mean`.'),
  normalize: option
    .boolean()
    .default(true)
    .describe('L2-normalise the output (then cosine == dot). Default true.'),
  prompts: option
    .union([
      option.enum(['auto', 'e5', 'bge-en', 'bge-zh', 'nomic', 'none']),
      option.object({
        query: option.string({ minLength: 0 }).optional(),
        document: option.string({ minLength: 0 }).optional(),
      }),
    ])
    .default('auto')
    .describe(
      "Query/document prompts: a preset name, explicit strings, or `auto` (default): the model's " +
        'config_sentence_transformers.json prompts, else the preset its name matches, else none.',
    ),
  maxLength: option
    .integer({ min: 1 })
    .optional()
    .describe(
      "Longest input in tokens (special tokens included). Default and upper bound: the model's limit.",
    ),
  maxBatchSize: option
    .integer({ min: 1 })
    .default(64)
    .describe('Most texts in one forward pass. Default 64.'),
  maxBatchTokens: option
    .integer({ min: 1 })
    .default(16_384)
    .describe('Most padded tokens (texts × longest text) in one forward pass; bounds memory. Default 16384.'),
  workers: option
    .integer({ min: 0 })
    .default(0)
    .describe(
      'Run the model in this many worker threads, each with its own session (combine with intraOpNumThreads: 1). ' +
        'Default 0: the calling thread.',
    ),
});

/** What `createOnnxEncoder` takes (defaults optional). */
export type OnnxEncoderOptions = InferOptionsInput<typeof onnxEncoderOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedOnnxEncoderOptions = InferOptions<typeof onnxEncoderOptions>;
