import type { Metric } from '@ragloom/core';
import type { CodeKernel } from './code-kernel.js';
import { type CodeStorage, codeRowLayout, codeRows } from './code-rows.js';
import type { Int8QueryTerms, Quantizer } from './quantizer.js';
import { BATCH_LIMIT } from './vector-kernel.js';
import {
  align64,
  batchViews,
  createRowsMemory,
  growRowsMemory,
  instantiate,
  termsPtrOf,
  wasmSimdModule,
} from './wasm-module.js';

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
  const { rowBytes } = codeRowLayout(kind, dimension);
  // int8 queries are int16 weights (2 bytes per padded code); binary queries are bits.
  const queryBytes = kind === 'int8' ? rowBytes * 2 : rowBytes;
  const queryPtr = 0;
  const pairPtr = align64(queryBytes);
  const slotsPtr = pairPtr + align64(queryBytes);
  const outPtr = slotsPtr + BATCH_LIMIT * 4;
  const codesPtr = align64(outPtr + BATCH_LIMIT * 4);

  let capacity = Math.max(1, initialCapacity);
  const memory = createRowsMemory(codesPtr, rowBytes, capacity, false);
  const wasm = instantiate(memory, false);
  const storage: CodeStorage = {
    codes: new Uint8Array(memory.buffer),
    codesStart: codesPtr,
    terms: new Float32Array(memory.buffer),
    termsStart: termsPtrOf(codesPtr, rowBytes, capacity) >> 2,
  };
  const rows = codeRows(quantizer, dimension, metric, storage);
  const { rowAt } = rows;
  const batch = batchViews(memory, slotsPtr, outPtr);
  const refreshViews = () => {
    storage.codes = new Uint8Array(memory.buffer);
    storage.terms = new Float32Array(memory.buffer);
    Object.assign(batch, batchViews(memory, slotsPtr, outPtr));
  };
  const int8 = kind === 'int8';
  const weights = new Int16Array(rowBytes);
  let queryTerms: Int8QueryTerms = { offset: 0, factor: 0, inverseScale: 0 };

  /** Copies the int16 weights of a query into the weights row at `ptr`; passes its terms on. */
  const loadWeights = (terms: Int8QueryTerms, ptr: number) => {
    new Int16Array(memory.buffer, ptr, rowBytes).set(weights);
    return terms;
  };
  /** Loads the terms of the stored row of `slot`, as a query, into the weights row at `ptr`. */
  const loadSlotTerms = (slot: number, ptr: number) => loadWeights(rows.slotQueryTerms(slot, weights), ptr);
  /** int8 distances from the weights row at `weightsPtr` (with its `terms`) to the batch's slots. */
  const int8Batch = (weightsPtr: number, terms: Int8QueryTerms, count: number) =>
    wasm.int8Batch(
      weightsPtr,
      codesPtr,
      rowBytes,
      slotsPtr,
      count,
      outPtr,
      storage.termsStart << 2,
      rows.mode,
      terms.offset,
      terms.factor,
      terms.inverseScale,
    );

  const kernel: CodeKernel = {
    name: 'wasm-simd',
    quantizer,
    batch,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      capacity = growRowsMemory(memory, codesPtr, rowBytes, capacity, slots);
      storage.termsStart = termsPtrOf(codesPtr, rowBytes, capacity) >> 2;
      refreshViews();
    },

    setVector: rows.setVector,
    move: rows.move,

    setQuery(vector) {
      if (!int8) {
        rows.encodeQueryBits(vector, storage.codes, queryPtr);
        return;
      }
      queryTerms = loadWeights(rows.queryTerms(vector, weights), queryPtr);
    },

    setQueryFromSlot(slot) {
      if (!int8) {
        storage.codes.copyWithin(queryPtr, rowAt(slot), rowAt(slot) + rowBytes);
        return;
      }
      queryTerms = loadSlotTerms(slot, queryPtr);
    },

    distance(slot) {
      if (!int8) return wasm.hamming(queryPtr, rowAt(slot), rowBytes);
      return rows.int8Distance(wasm.u8Dot(queryPtr, rowAt(slot), rowBytes), queryTerms, slot);
    },

    distances(count) {
      if (!int8) {
        wasm.hammingBatch(queryPtr, codesPtr, rowBytes, slotsPtr, count, outPtr);
        return;
      }
      int8Batch(queryPtr, queryTerms, count);
    },

    pairDistances(a, count) {
      if (!int8) {
        wasm.hammingBatch(rowAt(a), codesPtr, rowBytes, slotsPtr, count, outPtr);
        return;
      }
      int8Batch(pairPtr, loadSlotTerms(a, pairPtr), count);
    },

    pairDistance(a, b) {
      if (!int8) return wasm.hamming(rowAt(a), rowAt(b), rowBytes);
      const pair = loadSlotTerms(a, pairPtr);
      return rows.int8Distance(wasm.u8Dot(pairPtr, rowAt(b), rowBytes), pair, b);
    },

    exportCodes: rows.exportCodes,

    importCodes(bytes, from, count, inverseNormOf) {
      kernel.ensureCapacity(from + count);
      rows.importCodes(bytes, from, count, inverseNormOf);
    },
  };
  return kernel;
}
