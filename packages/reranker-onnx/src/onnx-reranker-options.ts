import type { HubOptions, OnnxFileOptions } from '@ragloom/onnx-model';

/**
 * How a pair's logit becomes its score: 'sigmoid' (a 0..1 relevance probability), 'none' (the raw logit),
 * or 'auto': what the model's sentence-transformers config says (ms-marco MiniLM exports say Identity,
 * so raw logits), else sigmoid, as sentence-transformers' CrossEncoder does for one-label models.
 */
export type RerankerActivation = 'auto' | 'sigmoid' | 'none';

/** `dtype`, `modelFileName`, `subfolder` and `modelFile` (from `OnnxFileOptions`) choose the ONNX file. */
export interface OnnxRerankerOptions extends HubOptions, OnnxFileOptions {
  /** A local folder in Hugging Face layout, or a hub repo id (`Xenova/ms-marco-MiniLM-L-6-v2`). */
  readonly model: string;
  /** Reported as `modelId`. Default: the repo id, else `config.json` `_name_or_path`, else the folder name. */
  readonly modelId?: string;
  /** Default 'auto'. */
  readonly activation?: RerankerActivation;
  /**
   * Longest (query, passage) input in tokens, special tokens included. Longer pairs lose passage tokens
   * first, then query tokens. Default and upper bound: the model's limit (`model_max_length`,
   * `max_position_embeddings`).
   */
  readonly maxLength?: number;
  /** Most pairs in one forward pass. Default 32. */
  readonly maxBatchSize?: number;
  /** Most padded tokens (pairs × longest pair) in one forward pass; bounds memory. Default 16,384. */
  readonly maxBatchTokens?: number;
  /** onnxruntime intra-op threads. Default: onnxruntime's (all cores). */
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
}
