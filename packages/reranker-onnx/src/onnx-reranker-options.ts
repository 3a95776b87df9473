import { type InferOptions, type InferOptionsInput, option } from '@ragloom/core/adapter';
import { onnxModelOptionShape } from '@ragloom/onnx-model';

/**
 * How a pair's logit becomes its score: 'sigmoid' (a 0..1 relevance probability), 'none' (the raw logit),
 * or 'auto': what the model's sentence-transformers config says (ms-marco MiniLM exports say Identity,
 * so raw logits), else sigmoid, as sentence-transformers' CrossEncoder does for one-label models.
 */
export type RerankerActivation = 'auto' | 'sigmoid' | 'none';

/**
 * The reranker's options, declared once: the shared ONNX model and hub options (`model`, `dtype`, `revision`,
 * `cacheDir`, ... from `@ragloom/onnx-model`) and the reranker's own. `createOnnxReranker` checks them with
 * `parseOptions`; the plugin exposes the same declaration without what only code can pass.
 */
export const onnxRerankerOptions = option.object({
  ...onnxModelOptionShape,
  activation: option
    .enum(['auto', 'sigmoid', 'none'])
    .default('auto')
    .describe("How a pair's logit becomes its score (see RerankerActivation). Default 'auto'."),
  maxLength: option
    .integer({ min: 1 })
    .optional()
    .describe(
      'Longest (query, passage) input in tokens, special tokens included; longer pairs lose passage tokens ' +
        "first. Default and upper bound: the model's limit.",
    ),
  maxBatchSize: option
    .integer({ min: 1 })
    .default(32)
    .describe('Most pairs in one forward pass. Default 32.'),
  maxBatchTokens: option
    .integer({ min: 1 })
    .default(16_384)
    .describe('Most padded tokens (pairs × longest pair) in one forward pass; bounds memory. Default 16384.'),
});

/** What `createOnnxReranker` takes (defaults optional). */
export type OnnxRerankerOptions = InferOptionsInput<typeof onnxRerankerOptions>;
/** The options after parsing, defaults filled in. */
export type ParsedOnnxRerankerOptions = InferOptions<typeof onnxRerankerOptions>;
