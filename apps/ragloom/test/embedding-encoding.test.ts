import { describe, expect, it } from 'vitest';
import { encodeEmbedding } from '../src/server/embeddings.js';

describe('encodeEmbedding (the /v1/embeddings wire format)', () => {
  it('sends float32 values as little-endian bytes in base64, whatever the host byte order', () => {
    // 1.0f = 0x3f800000, -2.5f = 0xc0200000: little-endian bytes 00 00 80 3f, 00 00 20 c0.
    expect(encodeEmbedding(Float32Array.of(1, -2.5), 'base64')).toBe(
      Buffer.from([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]).toString('base64'),
    );
  });

  it('round-trips through the decoding OpenAI clients use, and sends plain numbers for float', () => {
    const vector = Float32Array.of(0.125, -3, 1e-7, 42);
    const bytes = Buffer.from(encodeEmbedding(vector, 'base64') as string, 'base64');
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const decoded = Array.from({ length: vector.length }, (_, i) => view.getFloat32(i * 4, true));
    expect(decoded).toEqual(Array.from(vector));
    expect(encodeEmbedding(vector, 'float')).toEqual(Array.from(vector));
  });
});
