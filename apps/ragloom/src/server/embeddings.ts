import { RagloomError } from '@ragloom/core';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { embeddingsRequestSchema, parseRequest } from './request-schemas.js';

/**
 * A vector as the embeddings API sends it: a JSON array of numbers, or for `base64` its float32 values as
 * little-endian bytes (the byte order OpenAI's clients decode, whatever this machine's is).
 */
export function encodeEmbedding(vector: Float32Array, format: 'float' | 'base64'): number[] | string {
  if (format === 'float') return Array.from(vector);
  const bytes = new DataView(new ArrayBuffer(vector.length * Float32Array.BYTES_PER_ELEMENT));
  for (let i = 0; i < vector.length; i++) {
    bytes.setFloat32(i * Float32Array.BYTES_PER_ELEMENT, vector[i]!, true);
  }
  return Buffer.from(bytes.buffer).toString('base64');
}

/**
 * POST /v1/embeddings with the configured encoder. `encoding_format: 'base64'` (what the openai SDK asks for
 * by default) returns little-endian float32 bytes; `input_type` (extension) embeds queries instead of documents.
 */
export async function handleEmbeddings(runtime: RagloomRuntime, body: unknown, signal: AbortSignal) {
  const request = parseRequest(embeddingsRequestSchema, body);
  const encoder = runtime.encoder;
  if (!encoder) {
    throw new RagloomError('NOT_FOUND', 'no encoder is configured on this server, so it cannot embed', {
      details: { param: 'model' },
    });
  }
  if (request.dimensions !== undefined && request.dimensions !== encoder.dimension) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `dimensions: ${encoder.modelId} embeds into ${encoder.dimension} dimensions, not ${request.dimensions}`,
      { details: { param: 'dimensions' } },
    );
  }
  const texts = typeof request.input === 'string' ? [request.input] : request.input;
  const result = await encoder.embed({ texts, inputType: request.input_type ?? 'document', signal });
  const format = request.encoding_format ?? 'float';
  const tokens = result.usage?.tokens ?? 0;
  return {
    object: 'list',
    model: encoder.modelId,
    data: result.embeddings.map((vector, index) => ({
      object: 'embedding',
      index,
      embedding: encodeEmbedding(vector, format),
    })),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
