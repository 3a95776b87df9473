import type { Metric } from '@ragloom/core';
import { grown } from './typed-array-growth.js';
import type { VectorKernel } from './vector-kernel.js';
import { distanceKernelsWasmBase64 } from './wasm/distance-kernels-wasm.js';

const BATCH_LIMIT = 1024;
const PAGE = 65536;
/** wasm32 addresses 4 GiB; V8 allows all 65,536 pages. */
const MAX_PAGES = 65536;

interface KernelExports {
  dot(a: number, b: number, bytes: number): number;
  l2(a: number, b: number, bytes: number): number;
  dotBatch(query: number, base: number, stride: number, slots: number, count: number, out: number): void;
  negativeDotBatch(
    query: number,
    base: number,
    stride: number,
    slots: number,
    count: number,
    out: number,
  ): void;
  cosineBatch(
    query: number,
    base: number,
    stride: number,
    slots: number,
    count: number,
    out: number,
    inverseNorms: number,
    queryInverseNorm: number,
  ): void;
  l2Batch(query: number, base: number, stride: number, slots: number, count: number, out: number): void;
  dotF64(a: number, b: number, n: number): number;
  l2F64(a: number, b: number, n: number): number;
  dotF64Batch(
    query: number,
    base: number,
    stride: number,
    n: number,
    slots: number,
    count: number,
    out: number,
  ): void;
  l2F64Batch(
    query: number,
    base: number,
    stride: number,
    n: number,
    slots: number,
    count: number,
    out: number,
  ): void;
}

/**
 * The slice of the WebAssembly JS API used here, typed locally: TypeScript declares it only in
 * the DOM lib, and a global declaration of our own would clash with that in users' projects.
 */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number }) => WasmMemory;
}

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
let compiled: object | null | undefined;

/** The compiled kernel module, or null where WebAssembly SIMD is unavailable (compiled once). */
export function wasmSimdModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    const binary = Uint8Array.from(atob(distanceKernelsWasmBase64), (c) => c.charCodeAt(0));
    compiled = wasmApi === undefined ? null : new wasmApi.Module(binary);
  } catch {
    compiled = null; // no WebAssembly, or no SIMD: the JS kernel takes over
  }
  return compiled;
}

const align64 = (n: number) => Math.ceil(n / 64) * 64;

/**
 * The WebAssembly SIMD kernel: vectors live in one wasm memory, each padded to a multiple of 16
 * floats (a whole number of 64-byte cache lines, and no SIMD tail loop). The graph hands it the
 * unvisited neighbours of a node in one batch, so a JS → wasm call covers up to 2·M distances.
 */
export function createWasmVectorKernel(
  dimension: number,
  metric: Metric,
  initialCapacity = 1024,
): VectorKernel | null {
  const module = wasmSimdModule();
  if (module === null || wasmApi === undefined) return null;
  const dim = dimension;
  const stride = Math.ceil(dim / 16) * 16;
  const strideBytes = stride * 4;
  const queryPtr = 0;
  const slotsPtr = align64(strideBytes);
  const outPtr = slotsPtr + BATCH_LIMIT * 4;
  const scoresPtr = align64(outPtr + BATCH_LIMIT * 4);
  const vectorsPtr = align64(scoresPtr + BATCH_LIMIT * 8);

  let capacity = Math.max(1, initialCapacity);
  // After the vectors: 1/‖v‖ as float32 per slot, so the cosine batch needs no JS pass. It moves
  // up (and its old place is zeroed, becoming vector rows) whenever the storage grows.
  const bytesFor = (slots: number) => vectorsPtr + slots * (strideBytes + 4);
  const pagesFor = (slots: number) => Math.ceil(bytesFor(slots) / PAGE);
  let inverseNormsPtr = vectorsPtr + capacity * strideBytes;
  const memory = new wasmApi.Memory({ initial: pagesFor(capacity) });
  const instance = new wasmApi.Instance(module, { env: { memory } });
  const wasm = instance.exports as unknown as KernelExports;

  let f32 = new Float32Array(memory.buffer);
  let batchSlots = new Int32Array(memory.buffer, slotsPtr, BATCH_LIMIT);
  let batchDistances = new Float32Array(memory.buffer, outPtr, BATCH_LIMIT);
  let batchScores = new Float64Array(memory.buffer, scoresPtr, BATCH_LIMIT);
  // ‖v‖ for exact cosine scores (core divides by the product of norms), 1/‖v‖ for fast distances.
  let norms = new Float64Array(capacity);
  let inverseNorms = new Float64Array(capacity);
  let queryNorm = 0;
  let queryInverseNorm = 0;
  const refreshViews = () => {
    f32 = new Float32Array(memory.buffer);
    batchSlots = new Int32Array(memory.buffer, slotsPtr, BATCH_LIMIT);
    batchDistances = new Float32Array(memory.buffer, outPtr, BATCH_LIMIT);
    batchScores = new Float64Array(memory.buffer, scoresPtr, BATCH_LIMIT);
  };
  const at = (slot: number) => vectorsPtr + slot * strideBytes;
  /** Stores ‖v‖ and 1/‖v‖ of a slot; returns false when the vector is not finite. */
  const updateNorms = (slot: number): boolean => {
    const squared = wasm.dotF64(at(slot), at(slot), dim);
    const n = Math.sqrt(squared);
    norms[slot] = n;
    inverseNorms[slot] = n === 0 ? 0 : 1 / n;
    f32[(inverseNormsPtr >> 2) + slot] = inverseNorms[slot]!;
    // A NaN or infinite component makes the squared norm NaN or infinite: one check per vector.
    return Number.isFinite(squared);
  };

  const kernel: VectorKernel = {
    name: 'wasm-simd',
    dimension,
    metric,
    stride,
    get capacity() {
      return capacity;
    },
    get batchSlots() {
      return batchSlots;
    },
    get batchDistances() {
      return batchDistances;
    },
    get batchScores() {
      return batchScores;
    },
    batchLimit: BATCH_LIMIT,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      let next = capacity;
      while (next < slots) next *= 2;
      const pages = pagesFor(next);
      if (pages > MAX_PAGES) {
        // Grow only as far as the 4 GiB wasm32 limit allows.
        next = Math.floor((MAX_PAGES * PAGE - vectorsPtr) / (strideBytes + 4));
        if (next < slots) {
          throw new RangeError(
            `the wasm kernel holds at most ${next} vectors of dimension ${dim} (4 GiB); use kernel: 'js'`,
          );
        }
      }
      const have = memory.buffer.byteLength / PAGE;
      const want = Math.min(MAX_PAGES, pagesFor(next));
      if (want > have) memory.grow(want - have);
      refreshViews();
      const oldPtr = inverseNormsPtr;
      inverseNormsPtr = vectorsPtr + next * strideBytes;
      f32.copyWithin(inverseNormsPtr >> 2, oldPtr >> 2, (oldPtr >> 2) + capacity);
      f32.fill(0, oldPtr >> 2, (oldPtr >> 2) + capacity); // rows of new slots: padding must be zero
      norms = grown(norms, next);
      inverseNorms = grown(inverseNorms, next);
      capacity = next;
    },

    set(slot, vector) {
      f32.set(vector, at(slot) >> 2);
      updateNorms(slot);
    },

    get(slot) {
      const o = at(slot) >> 2;
      return f32.slice(o, o + dim);
    },

    move(from, to) {
      f32.copyWithin(at(to) >> 2, at(from) >> 2, (at(from) >> 2) + stride);
      norms[to] = norms[from]!;
      inverseNorms[to] = inverseNorms[from]!;
      f32[(inverseNormsPtr >> 2) + to] = f32[(inverseNormsPtr >> 2) + from]!;
    },

    setQuery(vector) {
      f32.set(vector, queryPtr >> 2);
      const n = Math.sqrt(wasm.dotF64(queryPtr, queryPtr, dim));
      queryNorm = n;
      queryInverseNorm = n === 0 ? 0 : 1 / n;
    },

    setQueryFromSlot(slot) {
      f32.copyWithin(queryPtr >> 2, at(slot) >> 2, (at(slot) >> 2) + stride);
      queryNorm = norms[slot]!;
      queryInverseNorm = inverseNorms[slot]!;
    },

    distance(slot) {
      if (metric === 'l2') return wasm.l2(queryPtr, at(slot), strideBytes);
      const d = wasm.dot(queryPtr, at(slot), strideBytes);
      return metric === 'dot' ? -d : 1 - d * queryInverseNorm * inverseNorms[slot]!;
    },

    distances(count) {
      if (metric === 'l2') wasm.l2Batch(queryPtr, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else if (metric === 'dot')
        wasm.negativeDotBatch(queryPtr, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else {
        wasm.cosineBatch(
          queryPtr,
          vectorsPtr,
          strideBytes,
          slotsPtr,
          count,
          outPtr,
          inverseNormsPtr,
          queryInverseNorm,
        );
      }
    },

    pairDistance(a, b) {
      if (metric === 'l2') return wasm.l2(at(a), at(b), strideBytes);
      const d = wasm.dot(at(a), at(b), strideBytes);
      return metric === 'dot' ? -d : 1 - d * inverseNorms[a]! * inverseNorms[b]!;
    },

    exactScore(slot) {
      if (metric === 'l2') return -wasm.l2F64(queryPtr, at(slot), dim);
      const d = wasm.dotF64(queryPtr, at(slot), dim);
      if (metric === 'dot') return d;
      // core's cosineSimilarity: dot / (‖q‖·‖v‖), 0 when either is a zero vector.
      const n = queryNorm * norms[slot]!;
      return n === 0 ? 0 : d / n;
    },

    exactScores(count) {
      if (metric === 'l2') {
        wasm.l2F64Batch(queryPtr, vectorsPtr, strideBytes, dim, slotsPtr, count, scoresPtr);
        for (let i = 0; i < count; i++) batchScores[i] = -batchScores[i]!;
        return;
      }
      wasm.dotF64Batch(queryPtr, vectorsPtr, strideBytes, dim, slotsPtr, count, scoresPtr);
      if (metric === 'cosine') {
        for (let i = 0; i < count; i++) {
          const n = queryNorm * norms[batchSlots[i]!]!;
          batchScores[i] = n === 0 ? 0 : batchScores[i]! / n;
        }
      }
    },

    inverseNorm(slot) {
      return inverseNorms[slot]!;
    },

    exportVectors(slots) {
      if (stride === dim) return [new Uint8Array(memory.buffer, vectorsPtr, slots * strideBytes)];
      // Unpad into chunks of about 4 MiB.
      const perChunk = Math.max(1, Math.floor((4 << 20) / (dim * 4)));
      const chunks: Uint8Array[] = [];
      for (let start = 0; start < slots; start += perChunk) {
        const end = Math.min(slots, start + perChunk);
        const chunk = new Float32Array((end - start) * dim);
        for (let s = start; s < end; s++) {
          const o = at(s) >> 2;
          chunk.set(f32.subarray(o, o + dim), (s - start) * dim);
        }
        chunks.push(new Uint8Array(chunk.buffer));
      }
      return chunks;
    },

    vectorStorage(slots) {
      kernel.ensureCapacity(slots);
      return stride === dim ? new Uint8Array(memory.buffer, vectorsPtr, slots * strideBytes) : null;
    },

    importVectors(bytes, slots) {
      kernel.ensureCapacity(slots);
      if (stride === dim) {
        if (bytes.buffer !== memory.buffer || bytes.byteOffset !== vectorsPtr) {
          new Uint8Array(memory.buffer, vectorsPtr, slots * strideBytes).set(
            bytes.subarray(0, slots * strideBytes),
          );
        }
      } else {
        const source = new Float32Array(bytes.buffer, bytes.byteOffset, slots * dim);
        for (let s = 0; s < slots; s++) f32.set(source.subarray(s * dim, s * dim + dim), at(s) >> 2);
      }
      return kernel.computeNorms(0, slots);
    },

    computeNorms(from, to) {
      let firstBad = -1;
      for (let s = from; s < to; s++) {
        if (!updateNorms(s) && firstBad < 0) firstBad = s;
      }
      return firstBad;
    },
  };
  return kernel;
}
