import type { Metric } from '@ragloom/core';
import { type CodeKernel, INT8_MODE } from './code-kernel.js';
import {
  codeBytes,
  dequantize,
  encodeVector,
  type Int8QueryTerms,
  int8Distance,
  int8QueryTerms,
  int8SlotTerm,
  paddedCodeBytes,
  type Quantizer,
} from './quantizer.js';
import {
  align64,
  createMemory,
  growMemory,
  grownCapacity,
  instantiate,
  PAGE_BYTES,
  wasmSimdModule,
} from './wasm-module.js';

const BATCH_LIMIT = 1024;

/**
 * The WebAssembly SIMD code kernel, in a memory of its own (so the float vectors can be dropped,
 * or never loaded, while the codes stay): codes padded to 16-byte rows, then one float32 term per
 * slot (1/‖x‖ for cosine, ‖x̂‖² for l2) that moves up when the storage grows.
 */
export function createWasmCodeKernel(
  quantizer: Quantizer,
  dimension: number,
  metric: Metric,
  initialCapacity = 1024,
): CodeKernel | null {
  if (wasmSimdModule() === null) return null;
  const kind = quantizer.kind;
  const rowBytes = paddedCodeBytes(kind, dimension);
  const fileRowBytes = codeBytes(kind, dimension);
  // int8 queries are int16 weights (2 bytes per padded code); binary queries are bits.
  const queryBytes = kind === 'int8' ? rowBytes * 2 : rowBytes;
  const queryPtr = 0;
  const pairPtr = align64(queryBytes);
  const slotsPtr = pairPtr + align64(queryBytes);
  const outPtr = slotsPtr + BATCH_LIMIT * 4;
  const codesPtr = align64(outPtr + BATCH_LIMIT * 4);
  const bytesFor = (slots: number) => codesPtr + slots * (rowBytes + 4);

  let capacity = Math.max(1, initialCapacity);
  let auxPtr = codesPtr + capacity * rowBytes;
  const memory = createMemory(Math.ceil(bytesFor(capacity) / PAGE_BYTES), false);
  const wasm = instantiate(memory, false);
  let u8 = new Uint8Array(memory.buffer);
  let f32 = new Float32Array(memory.buffer);
  let batchSlots = new Int32Array(memory.buffer, slotsPtr, BATCH_LIMIT);
  let batchDistances = new Float32Array(memory.buffer, outPtr, BATCH_LIMIT);
  const refreshViews = () => {
    u8 = new Uint8Array(memory.buffer);
    f32 = new Float32Array(memory.buffer);
    batchSlots = new Int32Array(memory.buffer, slotsPtr, BATCH_LIMIT);
    batchDistances = new Float32Array(memory.buffer, outPtr, BATCH_LIMIT);
  };
  const rowAt = (slot: number) => codesPtr + slot * rowBytes;
  const mode = INT8_MODE[metric];
  const int8 = quantizer.kind === 'int8' ? quantizer : null;
  const dequantized = new Float32Array(dimension);
  const weights = new Int16Array(rowBytes);
  let queryTerms: Int8QueryTerms = { offset: 0, factor: 0, inverseScale: 0 };

  /** Loads int8 query terms for `vector` into the weights row at `ptr`. */
  const loadTerms = (vector: Float32Array, ptr: number, inverseNorm?: number) => {
    const terms = int8QueryTerms(int8!, vector, weights, metric, inverseNorm);
    new Int16Array(memory.buffer, ptr, rowBytes).set(weights);
    return terms;
  };
  const slotTermAt = (slot: number) => f32[(auxPtr >> 2) + slot]!;
  const slotTerm = (slot: number, inverseNorm: number) =>
    int8SlotTerm(int8!, u8, rowAt(slot), metric, inverseNorm, dequantized);

  const kernel: CodeKernel = {
    name: 'wasm-simd',
    quantizer,
    get capacity() {
      return capacity;
    },
    get batchSlots() {
      return batchSlots;
    },
    get batchDistances() {
      return batchDistances;
    },
    batchLimit: BATCH_LIMIT,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      const next = grownCapacity(capacity, slots, codesPtr, rowBytes + 4);
      growMemory(memory, bytesFor(next));
      refreshViews();
      const oldPtr = auxPtr;
      auxPtr = codesPtr + next * rowBytes;
      f32.copyWithin(auxPtr >> 2, oldPtr >> 2, (oldPtr >> 2) + capacity);
      u8.fill(0, oldPtr, oldPtr + capacity * 4); // rows of new slots: padding must be zero
      capacity = next;
    },

    setVector(slot, vector, inverseNorm) {
      encodeVector(quantizer, vector, u8, rowAt(slot));
      if (int8) f32[(auxPtr >> 2) + slot] = slotTerm(slot, inverseNorm);
    },

    move(from, to) {
      u8.copyWithin(rowAt(to), rowAt(from), rowAt(from) + rowBytes);
      f32[(auxPtr >> 2) + to] = f32[(auxPtr >> 2) + from]!;
    },

    setQuery(vector) {
      if (!int8) {
        u8.fill(0, queryPtr, queryPtr + rowBytes);
        encodeVector(quantizer, vector, u8, queryPtr);
        return;
      }
      queryTerms = loadTerms(vector, queryPtr);
    },

    setQueryFromSlot(slot) {
      if (!int8) {
        u8.copyWithin(queryPtr, rowAt(slot), rowAt(slot) + rowBytes);
        return;
      }
      const x = dequantize(int8, u8, rowAt(slot), dequantized);
      const inverseNorm = metric === 'cosine' ? f32[(auxPtr >> 2) + slot] : undefined;
      queryTerms = loadTerms(x, queryPtr, inverseNorm);
    },

    distance(slot) {
      if (!int8) return wasm.hamming(queryPtr, rowAt(slot), rowBytes);
      return int8Distance(wasm.u8Dot(queryPtr, rowAt(slot), rowBytes), queryTerms, mode, slotTermAt(slot));
    },

    distances(count) {
      if (!int8) {
        wasm.hammingBatch(queryPtr, codesPtr, rowBytes, slotsPtr, count, outPtr);
        return;
      }
      wasm.int8Batch(
        queryPtr,
        codesPtr,
        rowBytes,
        slotsPtr,
        count,
        outPtr,
        auxPtr,
        mode,
        queryTerms.offset,
        queryTerms.factor,
        queryTerms.inverseScale,
      );
    },

    pairDistances(a, count) {
      if (!int8) {
        wasm.hammingBatch(rowAt(a), codesPtr, rowBytes, slotsPtr, count, outPtr);
        return;
      }
      const x = dequantize(int8, u8, rowAt(a), dequantized);
      const inverseNorm = metric === 'cosine' ? f32[(auxPtr >> 2) + a] : undefined;
      const pair = loadTerms(x, pairPtr, inverseNorm);
      wasm.int8Batch(
        pairPtr,
        codesPtr,
        rowBytes,
        slotsPtr,
        count,
        outPtr,
        auxPtr,
        mode,
        pair.offset,
        pair.factor,
        pair.inverseScale,
      );
    },

    pairDistance(a, b) {
      if (!int8) return wasm.hamming(rowAt(a), rowAt(b), rowBytes);
      const x = dequantize(int8, u8, rowAt(a), dequantized);
      const inverseNorm = metric === 'cosine' ? f32[(auxPtr >> 2) + a] : undefined;
      const pair = loadTerms(x, pairPtr, inverseNorm);
      return int8Distance(wasm.u8Dot(pairPtr, rowAt(b), rowBytes), pair, mode, slotTermAt(b));
    },

    exportCodes(slots) {
      if (rowBytes === fileRowBytes) return [new Uint8Array(memory.buffer, codesPtr, slots * rowBytes)];
      const out = new Uint8Array(slots * fileRowBytes);
      for (let s = 0; s < slots; s++)
        out.set(u8.subarray(rowAt(s), rowAt(s) + fileRowBytes), s * fileRowBytes);
      return [out];
    },

    importCodes(bytes, from, count, inverseNormOf) {
      kernel.ensureCapacity(from + count);
      for (let i = 0; i < count; i++) {
        const s = from + i;
        u8.set(bytes.subarray(i * fileRowBytes, (i + 1) * fileRowBytes), rowAt(s));
        u8.fill(0, rowAt(s) + fileRowBytes, rowAt(s) + rowBytes);
        if (int8) f32[(auxPtr >> 2) + s] = slotTerm(s, metric === 'cosine' ? inverseNormOf(s) : 0);
      }
    },
  };
  return kernel;
}
