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
