import type { SpecificationVersion } from './shared-types.js';

export type EncoderInputType = 'query' | 'document';

export interface EmbedRequest {
  readonly texts: readonly string[];
  /** Models such as e5 and bge embed queries and documents differently (prefixes/instructions). */
  readonly inputType: EncoderInputType;
  readonly signal?: AbortSignal;
}

export interface EmbedResult {
  /** One vector per input text, in input order, each of length `dimension`. */
  readonly embeddings: Float32Array[];
  readonly usage?: { readonly tokens: number };
}

/**
 * Encoder v1: turns texts into dense vectors.
 *
 * Contract (checked by describeEncoderConformance):
 * - `embed` returns exactly one finite vector of length `dimension` per text, in order;
 * - if `normalized`, every vector has L2 norm 1 (±1e-3);
 * - results do not depend on batch composition (a batch equals one-by-one calls, within float tolerance);
 * - over-long input is truncated, not an error; non-string input is `INVALID_ARGUMENT`;
 * - an aborted signal rejects with `ABORTED`;
 * - concurrent calls return what the same calls return one at a time, and aborting one leaves the others running.
 */
export interface EncoderV1 {
  readonly specificationVersion: SpecificationVersion;
  /** Who implements it, e.g. 'onnx', 'openai'. */
  readonly provider: string;
  /** The model id stored in index manifests; a query with another model id is rejected. */
  readonly modelId: string;
  readonly dimension: number;
  /** Whether vectors come out L2-normalised (then cosine == dot). */
  readonly normalized: boolean;
  /** The most texts one `embed` call sends in one batch; larger requests are split by the encoder. */
  readonly maxBatchSize: number;
  embed(request: EmbedRequest): Promise<EmbedResult>;
  /** Releases sessions, workers or sockets. Optional. */
  close?(): Promise<void>;
}
