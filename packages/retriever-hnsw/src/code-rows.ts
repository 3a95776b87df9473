import type { Metric } from '@ragloom/core';
import {
  codeBytes,
  dequantize,
  encodeVector,
  type Int8Quantizer,
  type Int8QueryTerms,
  int8Distance,
  int8QueryTerms,
  int8SlotTerm,
  paddedCodeBytes,
  type Quantizer,
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
function storedRowTerms(
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
function unpaddedRows(codes: Uint8Array, start: number, layout: CodeRowLayout, slots: number): Uint8Array[] {
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
function storePaddedRows(
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

/** Distance mode of the int8 kernels: what the approximate dot product d = q·x̂ becomes (the wasm kernel's `mode`). */
const INT8_MODE: Record<Metric, number> = { dot: 0, cosine: 1, l2: 2 };

/**
 * Where a code kernel keeps its rows and per-slot terms: padded rows in `codes` from byte `codesStart`, one
 * float32 term per slot in `terms` from index `termsStart` (int8: 1/‖x‖ for cosine, ‖x̂‖² for l2). The kernel
 * replaces the views and starts when its storage grows; `codeRows` reads them afresh on every call.
 */
export interface CodeStorage {
  codes: Uint8Array;
  codesStart: number;
  terms: Float32Array;
  termsStart: number;
}

/**
 * What both code kernels do alike on their storage: store, move, export and import rows, encode a query or
 * take a stored row as one, and turn Σ weight·code into the metric's distance. Their distance loops are their own.
 */
export interface CodeRows {
  readonly layout: CodeRowLayout;
  /** The int8 distance mode of the metric, as the wasm batch kernel takes it. */
  readonly mode: number;
  /** Byte offset of the row of `slot` in `storage.codes`. */
  rowAt(slot: number): number;
  setVector(slot: number, vector: Float32Array, inverseNorm: number): void;
  move(from: number, to: number): void;
  exportCodes(slots: number): Uint8Array[];
  /** Stores file rows at slots [from, from + count); the storage must already hold them. */
  importCodes(bytes: Uint8Array, from: number, count: number, inverseNormOf: (slot: number) => number): void;
  /** int8: the query terms of `vector`, its int16 weights into `weights`. */
  queryTerms(vector: Float32Array, weights: Int16Array): Int8QueryTerms;
  /** int8: the query terms of the stored row of `slot`, its int16 weights into `weights` (`storedRowTerms`). */
  slotQueryTerms(slot: number, weights: Int16Array): Int8QueryTerms;
  /** binary: the bits of `vector` as a padded row into `out` at `at` (padding zeroed). */
  encodeQueryBits(vector: Float32Array, out: Uint8Array, at: number): void;
  /** int8: the distance to `slot` of a query with `terms`, from `sum` = Σ weight · code of the slot's row. */
  int8Distance(sum: number, terms: Int8QueryTerms, slot: number): number;
}

export function codeRows(
  quantizer: Quantizer,
  dimension: number,
  metric: Metric,
  storage: CodeStorage,
): CodeRows {
  const layout = codeRowLayout(quantizer.kind, dimension);
  const { rowBytes } = layout;
  const int8 = quantizer.kind === 'int8' ? quantizer : null;
  const dequantized = new Float32Array(dimension);
  const mode = INT8_MODE[metric];
  const rowAt = (slot: number) => storage.codesStart + slot * rowBytes;
  const termOf = (slot: number) => storage.terms[storage.termsStart + slot]!;
  const storeTerm = (slot: number, inverseNorm: number) => {
    storage.terms[storage.termsStart + slot] = int8SlotTerm(
      int8!,
      storage.codes,
      rowAt(slot),
      metric,
      inverseNorm,
      dequantized,
    );
  };
  return {
    layout,
    mode,
    rowAt,
    setVector(slot, vector, inverseNorm) {
      encodeVector(quantizer, vector, storage.codes, rowAt(slot));
      if (int8) storeTerm(slot, inverseNorm);
    },
    move(from, to) {
      storage.codes.copyWithin(rowAt(to), rowAt(from), rowAt(from) + rowBytes);
      storage.terms[storage.termsStart + to] = termOf(from);
    },
    exportCodes(slots) {
      return unpaddedRows(storage.codes, storage.codesStart, layout, slots);
    },
    importCodes(bytes, from, count, inverseNormOf) {
      storePaddedRows(storage.codes, storage.codesStart, layout, bytes, from, count);
      if (!int8) return;
      for (let s = from; s < from + count; s++) storeTerm(s, metric === 'cosine' ? inverseNormOf(s) : 0);
    },
    queryTerms(vector, weights) {
      return int8QueryTerms(int8!, vector, weights, metric);
    },
    slotQueryTerms(slot, weights) {
      return storedRowTerms(int8!, storage.codes, rowAt(slot), metric, termOf(slot), weights, dequantized);
    },
    encodeQueryBits(vector, out, at) {
      out.fill(0, at, at + rowBytes);
      encodeVector(quantizer, vector, out, at);
    },
    int8Distance(sum, terms, slot) {
      return int8Distance(sum, terms, mode, termOf(slot));
    },
  };
}
