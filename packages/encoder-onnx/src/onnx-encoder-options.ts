import type { HubOptions, OnnxFileOptions } from '@ragloom/onnx-model';
import type { EncoderPromptPreset, EncoderPrompts } from './encoder-prompts.js';
import type { PoolingStrategy } from './pooling.js';

/**
 * `dtype`, `modelFileName`, `subfolder` and `modelFile` (from `OnnxFileOptions`) choose the ONNX file as
 * transformers.js does: `dtype: 'q8'` → `onnx/model_quantized.onnx`; without `dtype`, `config.json`'s
 * `transformers.js_config.dtype`, else fp32.
 */
export interface OnnxEncoderOptions extends HubOptions, OnnxFileOptions {
  /** A local folder in Hugging Face layout, or a hub repo id (`Xenova/bge-small-en-v1.5`). */
  readonly model: string;
  /** The id written into index manifests. Default: the repo id, else the folder's `config.json` name or basename. */
  readonly modelId?: string;
  /** Pooling. Default: what `modules.json` / `1_Pooling/config.json` say, else `mean`. */
  readonly pooling?: PoolingStrategy;
  /** L2-normalise the output (then cosine == dot). Default true. */
  readonly normalize?: boolean;
  /**
   * Query/document prompts: a preset name, explicit strings, or `'auto'` (default): the model's
   * `config_sentence_transformers.json` prompts, else the preset its name matches (e5, bge-en, bge-zh, nomic),
   * else none.
   */
  readonly prompts?: EncoderPromptPreset | 'auto' | Partial<EncoderPrompts>;
  /**
   * Longest input in tokens (special tokens included); longer texts are truncated. Default and upper bound: the
   * model's limit (`sentence_bert_config.json` `max_seq_length`, `model_max_length`, `max_position_embeddings`).
   */
  readonly maxLength?: number;
  /** Most texts in one forward pass. Default 64. Also reported as `maxBatchSize`. */
  readonly maxBatchSize?: number;
  /** Most padded tokens (texts × longest text) in one forward pass; bounds memory. Default 16,384. */
  readonly maxBatchTokens?: number;
  /** onnxruntime intra-op threads per session. Default: onnxruntime's (all cores). */
  readonly intraOpNumThreads?: number;
  readonly interOpNumThreads?: number;
  /**
   * Run the model in this many worker threads, each with its own session (for large ingests on many cores;
   * combine with `intraOpNumThreads: 1`). Default 0: run in the calling thread.
   */
  readonly workers?: number;
}
