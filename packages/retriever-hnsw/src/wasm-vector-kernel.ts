import type { Metric } from '@ragloom/core';
import { allocateArray, grownArray } from './shared-arrays.js';
import {
  BATCH_LIMIT,
  type BuildKernel,
  type SharedKernelHandle,
  type VectorKernel,
} from './vector-kernel.js';
import {
  align64,
  batchViews,
  createRowsMemory,
  growRowsMemory,
  instantiate,
  type KernelExports,
  sharedWasmSimdModule,
  termsPtrOf,
  type WasmMemory,
  wasmSimdModule,
} from './wasm-module.js';

/** Builder threads a shared kernel has scratch space for (region 0 is the owning thread's). */
export const MAX_BUILD_THREADS = 8;

interface Layout {
  readonly dimension: number;
  readonly metric: Metric;
  /** Floats per padded row. */
  readonly stride: number;
  readonly strideBytes: number;
  /** Bytes of one thread's scratch region: query, batch slots, batch distances, batch scores. */
  readonly scratchBytes: number;
  readonly vectorsPtr: number;
}

function layoutFor(dimension: number, metric: Metric, regions: number): Layout {
  const stride = Math.ceil(dimension / 16) * 16;
  const strideBytes = stride * 4;
  const scratchBytes = align64(align64(strideBytes) + BATCH_LIMIT * 8 + BATCH_LIMIT * 8);
  return { dimension, metric, stride, strideBytes, scratchBytes, vectorsPtr: regions * scratchBytes };
}

/** Pointers of a thread's scratch region. */
function scratchOf(layout: Layout, region: number) {
  const queryPtr = region * layout.scratchBytes;
  const slotsPtr = queryPtr + align64(layout.strideBytes);
  const outPtr = slotsPtr + BATCH_LIMIT * 4;
  const scoresPtr = outPtr + BATCH_LIMIT * 4;
  return { queryPtr, slotsPtr, outPtr, scoresPtr };
}

/** What growth replaces: the memory view, the norm tables and where the float32 inverse norms sit. */
interface KernelViews {
  f32: Float32Array;
  norms: Float64Array;
  inverseNorms: Float64Array;
  inverseNormsPtr: number;
}

/** The walk and build distances a thread measures (the owning thread's kernel and builder threads alike). */
type DistanceMethods = Pick<
  BuildKernel,
  'setQuery' | 'setQueryFromSlot' | 'distance' | 'distances' | 'pairDistance' | 'pairDistances'
>;

/**
 * The distance operations of one thread over a kernel's memory: its own query and batch buffers,
 * the shared vectors; `views` is updated in place when the storage grows. `measure` holds the
 * methods both kinds of kernel expose as they are.
 */
function distanceOps(wasm: KernelExports, layout: Layout, region: number, views: KernelViews) {
  const { metric, strideBytes, vectorsPtr, stride } = layout;
  const { queryPtr, slotsPtr, outPtr } = scratchOf(layout, region);
  const at = (slot: number) => vectorsPtr + slot * strideBytes;
  let queryNorm = 0;
  let queryInverseNorm = 0;
  const measure: DistanceMethods = {
    setQuery(vector: Float32Array) {
      views.f32.set(vector, queryPtr >> 2);
      const n = Math.sqrt(wasm.dotF64(queryPtr, queryPtr, layout.dimension));
      queryNorm = n;
      queryInverseNorm = n === 0 ? 0 : 1 / n;
    },
    setQueryFromSlot(slot: number) {
      const { f32, norms, inverseNorms } = views;
      f32.copyWithin(queryPtr >> 2, at(slot) >> 2, (at(slot) >> 2) + stride);
      queryNorm = norms[slot]!;
      queryInverseNorm = inverseNorms[slot]!;
    },
    distance(slot: number): number {
      if (metric === 'l2') return wasm.l2(queryPtr, at(slot), strideBytes);
      const d = wasm.dot(queryPtr, at(slot), strideBytes);
      return metric === 'dot' ? -d : 1 - d * queryInverseNorm * views.inverseNorms[slot]!;
    },
    distances(count: number) {
      if (metric === 'l2') wasm.l2Batch(queryPtr, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else if (metric === 'dot')
        wasm.negativeDotBatch(queryPtr, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else {
        const inverseNormsPtr = views.inverseNormsPtr;
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
    pairDistances(a: number, count: number) {
      // The stored row of `a` is the query, in place: no copy.
      const row = at(a);
      if (metric === 'l2') wasm.l2Batch(row, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else if (metric === 'dot') wasm.negativeDotBatch(row, vectorsPtr, strideBytes, slotsPtr, count, outPtr);
      else {
        const inverse = views.inverseNorms[a]!;
        wasm.cosineBatch(
          row,
          vectorsPtr,
          strideBytes,
          slotsPtr,
          count,
          outPtr,
          views.inverseNormsPtr,
          inverse,
        );
      }
    },
    pairDistance(a: number, b: number): number {
      if (metric === 'l2') return wasm.l2(at(a), at(b), strideBytes);
      const d = wasm.dot(at(a), at(b), strideBytes);
      if (metric === 'dot') return -d;
      const inverseNorms = views.inverseNorms;
      return 1 - d * inverseNorms[a]! * inverseNorms[b]!;
    },
  };
  return {
    at,
    queryPtr,
    get queryNorm() {
      return queryNorm;
    },
    measure,
  };
}

/**
 * The WebAssembly SIMD kernel: vectors live in one wasm memory, each padded to a multiple of 16
 * floats (a whole number of 64-byte cache lines, and no SIMD tail loop). The graph hands it the
 * unvisited neighbours of a node in one batch, so a JS → wasm call covers up to 2·M distances.
 *
 * `shared`: the memory (and the norm tables) are shared, so builder threads can attach
 * (`attachWasmBuildKernel`) and measure the same vectors, each in its own scratch region.
 */
export function createWasmVectorKernel(
  dimension: number,
  metric: Metric,
  initialCapacity = 1024,
  shared = false,
): VectorKernel | null {
  if ((shared ? sharedWasmSimdModule() : wasmSimdModule()) === null) return null;
  const dim = dimension;
  const layout = layoutFor(dimension, metric, shared ? 1 + MAX_BUILD_THREADS : 1);
  const { stride, strideBytes, vectorsPtr } = layout;
  const { slotsPtr, outPtr, scoresPtr } = scratchOf(layout, 0);

  let capacity = Math.max(1, initialCapacity);
  // After the vectors: 1/‖v‖ as float32 per slot, so the cosine batch needs no JS pass.
  const memory: WasmMemory = createRowsMemory(vectorsPtr, strideBytes, capacity, shared);
  const wasm = instantiate(memory, shared);
  // ‖v‖ for exact cosine scores (core divides by the product of norms), 1/‖v‖ for fast distances.
  const views: KernelViews = {
    f32: new Float32Array(memory.buffer),
    norms: allocateArray(Float64Array, capacity, shared),
    inverseNorms: allocateArray(Float64Array, capacity, shared),
    inverseNormsPtr: termsPtrOf(vectorsPtr, strideBytes, capacity),
  };
  const scoresOf = () => ({ scores: new Float64Array(memory.buffer, scoresPtr, BATCH_LIMIT) });
  const batch = { ...batchViews(memory, slotsPtr, outPtr), ...scoresOf() };
  const ops = distanceOps(wasm, layout, 0, views);
  const { at, queryPtr } = ops;
  const refreshViews = () => {
    views.f32 = new Float32Array(memory.buffer);
    Object.assign(batch, batchViews(memory, slotsPtr, outPtr), scoresOf());
  };
  /** Stores ‖v‖ and 1/‖v‖ of a slot; returns false when the vector is not finite. */
  const updateNorms = (slot: number): boolean => {
    const squared = wasm.dotF64(at(slot), at(slot), dim);
    const n = Math.sqrt(squared);
    const inverse = n === 0 ? 0 : 1 / n;
    views.norms[slot] = n;
    views.inverseNorms[slot] = inverse;
    views.f32[(views.inverseNormsPtr >> 2) + slot] = inverse;
    // A NaN or infinite component makes the squared norm NaN or infinite: one check per vector.
    return Number.isFinite(squared);
  };

  const kernel: VectorKernel = {
    name: 'wasm-simd',
    dimension,
    metric,
    stride,
    batch,

    ensureCapacity(slots) {
      if (slots <= capacity) return;
      capacity = growRowsMemory(memory, vectorsPtr, strideBytes, capacity, slots);
      refreshViews();
      views.inverseNormsPtr = termsPtrOf(vectorsPtr, strideBytes, capacity);
      views.norms = grownArray(views.norms, capacity, shared);
      views.inverseNorms = grownArray(views.inverseNorms, capacity, shared);
    },

    set(slot, vector) {
      views.f32.set(vector, at(slot) >> 2);
      updateNorms(slot);
    },

    get(slot) {
      const o = at(slot) >> 2;
      return views.f32.slice(o, o + dim);
    },

    move(from, to) {
      const { f32, norms, inverseNorms, inverseNormsPtr } = views;
      f32.copyWithin(at(to) >> 2, at(from) >> 2, (at(from) >> 2) + stride);
      norms[to] = norms[from]!;
      inverseNorms[to] = inverseNorms[from]!;
      f32[(inverseNormsPtr >> 2) + to] = f32[(inverseNormsPtr >> 2) + from]!;
    },

    ...ops.measure,

    exactScore(slot) {
      if (metric === 'l2') return -wasm.l2F64(queryPtr, at(slot), dim);
      const d = wasm.dotF64(queryPtr, at(slot), dim);
      if (metric === 'dot') return d;
      // core's cosineSimilarity: dot / (‖q‖·‖v‖), 0 when either is a zero vector.
      const n = ops.queryNorm * views.norms[slot]!;
      return n === 0 ? 0 : d / n;
    },

    exactScores(count) {
      const { slots, scores } = batch;
      if (metric === 'l2') {
        wasm.l2F64Batch(queryPtr, vectorsPtr, strideBytes, dim, slotsPtr, count, scoresPtr);
        for (let i = 0; i < count; i++) scores[i] = -scores[i]!;
        return;
      }
      wasm.dotF64Batch(queryPtr, vectorsPtr, strideBytes, dim, slotsPtr, count, scoresPtr);
      if (metric === 'cosine') {
        const queryNorm = ops.queryNorm;
        const norms = views.norms;
        for (let i = 0; i < count; i++) {
          const n = queryNorm * norms[slots[i]!]!;
          scores[i] = n === 0 ? 0 : scores[i]! / n;
        }
      }
    },

    inverseNorm(slot) {
      return views.inverseNorms[slot]!;
    },

    norm(slot) {
      return views.norms[slot]!;
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
          chunk.set(views.f32.subarray(o, o + dim), (s - start) * dim);
        }
        chunks.push(new Uint8Array(chunk.buffer));
      }
      return chunks;
    },

    vectorStorage(slots) {
      kernel.ensureCapacity(slots);
      return stride === dim ? new Uint8Array(memory.buffer, vectorsPtr, slots * strideBytes) : null;
    },

    importVectors(bytes, from, count) {
      kernel.ensureCapacity(from + count);
      if (stride === dim) {
        const target = at(from);
        if (bytes.buffer !== memory.buffer || bytes.byteOffset !== target) {
          new Uint8Array(memory.buffer, target, count * strideBytes).set(
            bytes.subarray(0, count * strideBytes),
          );
        }
      } else {
        const source = new Float32Array(bytes.buffer, bytes.byteOffset, count * dim);
        const f32 = views.f32;
        for (let s = 0; s < count; s++) f32.set(source.subarray(s * dim, s * dim + dim), at(from + s) >> 2);
      }
      return kernel.computeNorms(from, from + count);
    },

    computeNorms(from, to) {
      let firstBad = -1;
      for (let s = from; s < to; s++) {
        if (!updateNorms(s) && firstBad < 0) firstBad = s;
      }
      return firstBad;
    },

    sharedHandle() {
      if (!shared) return null;
      const { inverseNormsPtr, norms, inverseNorms } = views;
      return { memory, dimension, metric, capacity, inverseNormsPtr, norms, inverseNorms };
    },
  };
  return kernel;
}

/**
 * A builder thread's view of a shared wasm kernel: the same vectors and norms, its own scratch
 * region (`region` 1..MAX_BUILD_THREADS). It measures only; the owning thread stores and grows.
 */
export function attachWasmBuildKernel(handle: SharedKernelHandle, region: number): BuildKernel {
  if (region < 1 || region > MAX_BUILD_THREADS) throw new RangeError(`no scratch region ${region}`);
  const memory = handle.memory as WasmMemory;
  const wasm = instantiate(memory, true);
  const layout = layoutFor(handle.dimension, handle.metric, 1 + MAX_BUILD_THREADS);
  const { slotsPtr, outPtr } = scratchOf(layout, region);
  const views: KernelViews = {
    f32: new Float32Array(memory.buffer),
    norms: handle.norms,
    inverseNorms: handle.inverseNorms,
    inverseNormsPtr: handle.inverseNormsPtr,
  };
  const ops = distanceOps(wasm, layout, region, views);
  const fixed = () => {
    throw new Error('a builder thread does not store or move vectors');
  };
  return {
    batch: batchViews(memory, slotsPtr, outPtr),
    ensureCapacity: (slots) => {
      if (slots > handle.capacity) fixed();
    },
    move: fixed,
    ...ops.measure,
  };
}
