import type { Metric } from '@ragloom/core';
import {
  codeBytes,
  dequantize,
  type Int8Quantizer,
  type Int8QueryTerms,
  int8QueryTerms,
  paddedCodeBytes,
} from './quantizer.js';

/**
 * What both code kernels (wasm and JS) do alike outside their distance loops: code rows padded in memory
 * (`rowBytes`) but not in the index file (`fileRowBytes`), and a stored int8 row made a query.
 */
export interface CodeRowLayout {
  /** Bytes of a row in memory: the code, zero-padded to 16 bytes for SIMD. */
  readonly rowBytes: number;
  /** Bytes of a row in the index file: the code alone. */
  readonly fileRowBytes: number;
}

export function codeRowLayout(kind: 'int8' | 'binary', dimension: number): CodeRowLayout {
  return { rowBytes: paddedCodeBytes(kind, dimension), fileRowBytes: codeBytes(kind, dimension) };
}

/**
 * The query terms (and the int16 weights, into `weights`) of the int8 code row at `at` used as the query:
 * its dequantized vector, with the row's own 1/‖x‖ (`slotTerm`) for cosine, so that the distances from a
 * stored slot are those its vector would get as a query.
 */
export function storedRowTerms(
  quantizer: Int8Quantizer,
  codes: Uint8Array,
  at: number,
  metric: Metric,
  slotTerm: number,
  weights: Int16Array,
  scratch: Float32Array,
): Int8QueryTerms {
  const x = dequantize(quantizer, codes, at, scratch);
  return int8QueryTerms(quantizer, x, weights, metric, metric === 'cosine' ? slotTerm : undefined);
}

/** The file rows of slots [0, slots) from padded rows starting at `start` of `codes`. */
export function unpaddedRows(
  codes: Uint8Array,
  start: number,
  layout: CodeRowLayout,
  slots: number,
): Uint8Array[] {
  const { rowBytes, fileRowBytes } = layout;
  if (rowBytes === fileRowBytes) return [codes.subarray(start, start + slots * rowBytes)];
  const out = new Uint8Array(slots * fileRowBytes);
  for (let s = 0; s < slots; s++) {
    const row = start + s * rowBytes;
    out.set(codes.subarray(row, row + fileRowBytes), s * fileRowBytes);
  }
  return [out];
}

/** Stores `count` file rows of `bytes` as padded rows of slots from `from` (rows starting at `start` of `codes`). */
export function storePaddedRows(
  codes: Uint8Array,
  start: number,
  layout: CodeRowLayout,
  bytes: Uint8Array,
  from: number,
  count: number,
): void {
  const { rowBytes, fileRowBytes } = layout;
  for (let i = 0; i < count; i++) {
    const row = start + (from + i) * rowBytes;
    codes.set(bytes.subarray(i * fileRowBytes, (i + 1) * fileRowBytes), row);
    codes.fill(0, row + fileRowBytes, row + rowBytes);
  }
}
