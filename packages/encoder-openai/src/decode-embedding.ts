import { RagloomError } from '@ragloom/core';

/**
 * One embedding from the wire: a base64 string of little-endian float32 (what `encoding_format: 'base64'`
 * returns) or an array of numbers (`float`, or a server that ignores the format). Always a fresh Float32Array.
 */
export function decodeEmbedding(embedding: unknown, where: string): Float32Array {
  if (typeof embedding === 'string') {
    const bytes = Buffer.from(embedding, 'base64');
    if (bytes.byteLength % 4 !== 0) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${where} returned a base64 embedding of ${bytes.byteLength} bytes`,
      );
    }
    const out = new Float32Array(bytes.byteLength / 4);
    for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
    return out;
  }
  if (Array.isArray(embedding) && embedding.every((x) => typeof x === 'number')) {
    return Float32Array.from(embedding as number[]);
  }
  throw new RagloomError(
    'UPSTREAM_ERROR',
    `${where} returned an embedding that is neither base64 nor numbers`,
  );
}

/**
 * A response's embeddings in input order, decoded: OpenAI tags each with its input's `index` (a server may
 * answer out of order); one without an index keeps its place. Indices that are repeated, missing or out of
 * range are UPSTREAM_ERROR (never a hole in the result). How many came back is `checkEmbeddings`' to judge.
 */
export function embeddingsInIndexOrder(
  data: readonly { readonly index?: unknown; readonly embedding: unknown }[],
  where: string,
): Float32Array[] {
  const ordered = new Array<Float32Array>(data.length);
  const taken = new Set<number>();
  data.forEach((item, position) => {
    const index = typeof item.index === 'number' ? item.index : position;
    if (!Number.isInteger(index) || index < 0 || index >= data.length || taken.has(index)) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${where} returned embeddings with missing or repeated indices (index ${index} of ${data.length})`,
        { details: { index } },
      );
    }
    taken.add(index);
    ordered[index] = decodeEmbedding(item.embedding, where);
  });
  return ordered;
}
