import { RagloomError } from '../errors/ragloom-error.js';
import { normalize as unitLength } from '../vector/vector-math.js';

/**
 * Cuts a text to at most `maxChars` UTF-16 units without splitting a surrogate pair: what encoders do with an
 * over-long input (`maxInputChars`), so it is truncated rather than refused by the model.
 */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  const code = text.charCodeAt(maxChars - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? maxChars - 1 : maxChars);
}

export interface EmbeddingCheck {
  /** How many texts were sent (one vector each must come back). */
  readonly count: number;
  /** The encoder's declared dimension. */
  readonly dimension: number;
  /** L2-normalise each vector (the encoder's `normalize` option). */
  readonly normalize: boolean;
  /** Who returned them, for messages: `openai.embedding (model m)`, `LangChain embeddings langchain:x`. */
  readonly source: string;
}

/**
 * What a vendor's embedding call returned, checked and as ragloom vectors: one vector per text
 * (UPSTREAM_ERROR), each of `dimension` numbers (DIMENSION_MISMATCH, with `expected`, `actual`, `index`),
 * all finite (UPSTREAM_ERROR), normalised when asked.
 */
export function checkEmbeddings(
  vectors: readonly ArrayLike<number>[] | undefined,
  check: EmbeddingCheck,
): Float32Array[] {
  const { count, dimension, source } = check;
  if (!Array.isArray(vectors) || vectors.length !== count) {
    throw new RagloomError(
      'UPSTREAM_ERROR',
      `${source} returned ${Array.isArray(vectors) ? vectors.length : 'no'} embeddings for ${count} texts`,
    );
  }
  return vectors.map((values, index) => {
    if (values.length !== dimension) {
      throw new RagloomError(
        'DIMENSION_MISMATCH',
        `${source} returned a vector of ${values.length} numbers, but the encoder was created with dimension ` +
          `${dimension}; pass the model's dimension`,
        { details: { expected: dimension, actual: values.length, index } },
      );
    }
    const vector = Float32Array.from(values);
    if (!vector.every(Number.isFinite)) {
      throw new RagloomError('UPSTREAM_ERROR', `${source} returned a non-finite value`, {
        details: { index },
      });
    }
    return check.normalize ? unitLength(vector) : vector;
  });
}
