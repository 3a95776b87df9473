import { BATCH_LIMIT } from './vector-kernel.js';
import { distanceKernelsWasmBase64, sharedDistanceKernelsWasmBase64 } from './wasm/distance-kernels-wasm.js';

/**
 * The calling convention of the batch kernels (addresses are byte offsets into the memory): the query row at
 * `query`, rows `stride` bytes apart from `base`, the `count` int32 slots at `slots` to measure, one float32
 * distance per slot written at `out`.
 */
type RowArgs = [query: number, base: number, stride: number];
type SlotArgs = [slots: number, count: number, out: number];
type BatchKernel = (...args: [...RowArgs, ...SlotArgs]) => void;
/** The float64 score kernels: the same over `n` components, one float64 per slot at `out`. */
type F64BatchKernel = (...args: [...RowArgs, n: number, ...SlotArgs]) => void;

/** The exports of distance-kernels.wat. */
export interface KernelExports {
  dot(a: number, b: number, bytes: number): number;
  l2(a: number, b: number, bytes: number): number;
  readonly dotBatch: BatchKernel;
  readonly negativeDotBatch: BatchKernel;
  /** Also reads 1/‖row‖ per slot (float32) from `inverseNorms`, and takes 1/‖query‖. */
  cosineBatch(...args: [...RowArgs, ...SlotArgs, inverseNorms: number, queryInverseNorm: number]): void;
  readonly l2Batch: BatchKernel;
  dotF64(a: number, b: number, n: number): number;
  l2F64(a: number, b: number, n: number): number;
  readonly dotF64Batch: F64BatchKernel;
  readonly l2F64Batch: F64BatchKernel;
  u8Dot(query: number, row: number, bytes: number): number;
  /**
   * Over int8 codes with int16 query weights: `aux` holds one float32 term per slot, and the query's terms
   * (`queryOffset`, `queryFactor`, `inverseScale`) turn each dot product into the `mode`'s distance.
   */
  int8Batch(
    ...args: [
      ...RowArgs,
      ...SlotArgs,
      aux: number,
      mode: number,
      queryOffset: number,
      queryFactor: number,
      inverseScale: number,
    ]
  ): void;
  hamming(a: number, b: number, bytes: number): number;
  readonly hammingBatch: BatchKernel;
}

/**
 * The slice of the WebAssembly JS API used here, typed locally: TypeScript declares it only in
 * the DOM lib, and a global declaration of our own would clash with that in users' projects.
 */
export interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(deltaPages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}

export const PAGE_BYTES = 65536;
/** wasm32 addresses 4 GiB; V8 allows all 65,536 pages. */
export const MAX_PAGES = 65536;

const wasmApi = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
const compiled: { plain?: object | null; shared?: object | null } = {};

function compile(base64: string): object | null {
  try {
    const binary = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    return wasmApi === undefined ? null : new wasmApi.Module(binary);
  } catch {
    return null; // no WebAssembly, no SIMD (or, for the shared variant, no threads)
  }
}

/** The compiled kernel module (ordinary memory), or null where WebAssembly SIMD is unavailable. */
export function wasmSimdModule(): object | null {
  if (compiled.plain === undefined) compiled.plain = compile(distanceKernelsWasmBase64);
  return compiled.plain;
}

/** The variant over a shared memory, or null where shared WebAssembly memory is unavailable. */
export function sharedWasmSimdModule(): object | null {
  if (compiled.shared === undefined) {
    compiled.shared =
      typeof SharedArrayBuffer === 'function' ? compile(sharedDistanceKernelsWasmBase64) : null;
  }
  return compiled.shared;
}

/** A memory of `pages` pages (shared ones declare the 4 GiB maximum, as they cannot move). */
export function createMemory(pages: number, shared: boolean): WasmMemory {
  if (wasmApi === undefined) throw new Error('no WebAssembly');
  return shared
    ? new wasmApi.Memory({ initial: pages, maximum: MAX_PAGES, shared: true })
    : new wasmApi.Memory({ initial: pages });
}

/** An instance of the kernel module over `memory` (the shared variant for a shared memory). */
export function instantiate(memory: WasmMemory, shared: boolean): KernelExports {
  const module = shared ? sharedWasmSimdModule() : wasmSimdModule();
  if (module === null || wasmApi === undefined) throw new Error('no WebAssembly SIMD');
  return new wasmApi.Instance(module, { env: { memory } }).exports as KernelExports;
}

/** Grows `memory` to hold at least `bytes`. */
export function growMemory(memory: WasmMemory, bytes: number): void {
  const have = memory.buffer.byteLength / PAGE_BYTES;
  const want = Math.min(MAX_PAGES, Math.ceil(bytes / PAGE_BYTES));
  if (want > have) memory.grow(want - have);
}

export const align64 = (n: number) => Math.ceil(n / 64) * 64;

/**
 * A batch's slot and distance buffers as views of `memory` at `slotsPtr` and `outPtr`, `BATCH_LIMIT` entries
 * each. Growing an unshared memory detaches them: a kernel then assigns fresh views to its batch object.
 */
export function batchViews(memory: WasmMemory, slotsPtr: number, outPtr: number) {
  return {
    slots: new Int32Array(memory.buffer, slotsPtr, BATCH_LIMIT),
    distances: new Float32Array(memory.buffer, outPtr, BATCH_LIMIT),
    limit: BATCH_LIMIT,
  };
}

/**
 * The capacity a kernel grows to for `slots`: doubled from `capacity`, but no further than a
 * 4 GiB wasm memory holds with `bytesPerSlot` per slot after `start`.
 */
export function grownCapacity(capacity: number, slots: number, start: number, bytesPerSlot: number): number {
  let next = capacity;
  while (next < slots) next *= 2;
  const fits = Math.floor((MAX_PAGES * PAGE_BYTES - start) / bytesPerSlot);
  if (fits < slots) {
    throw new RangeError(
      `a wasm kernel holds at most ${fits} rows of ${bytesPerSlot} bytes (4 GiB); use kernel: 'js'`,
    );
  }
  return Math.min(next, fits);
}

/**
 * Both wasm kernels lay their memory out alike: scratch below `rowsPtr`, then `capacity` rows of `rowBytes`
 * (vectors or codes), then one float32 term per slot (1/‖v‖, or an int8 code's term) so that a batch kernel
 * reads it without a JS pass. Where the terms start:
 */
export const termsPtrOf = (rowsPtr: number, rowBytes: number, capacity: number) =>
  rowsPtr + capacity * rowBytes;
/** Where such a layout ends. */
const rowsEndOf = (rowsPtr: number, rowBytes: number, capacity: number) =>
  termsPtrOf(rowsPtr, rowBytes, capacity) + capacity * 4;

/** A memory for such a layout with room for `capacity` slots. */
export function createRowsMemory(
  rowsPtr: number,
  rowBytes: number,
  capacity: number,
  shared: boolean,
): WasmMemory {
  return createMemory(Math.ceil(rowsEndOf(rowsPtr, rowBytes, capacity) / PAGE_BYTES), shared);
}

/**
 * Grows such a memory from `capacity` to hold at least `slots` (doubling) and returns the new capacity. The
 * terms move up behind the new rows and their old place is zeroed, as it becomes rows of new slots, whose
 * padding must be zero. Views of an unshared memory are detached afterwards: the caller makes new ones.
 */
export function growRowsMemory(
  memory: WasmMemory,
  rowsPtr: number,
  rowBytes: number,
  capacity: number,
  slots: number,
): number {
  const next = grownCapacity(capacity, slots, rowsPtr, rowBytes + 4);
  growMemory(memory, rowsEndOf(rowsPtr, rowBytes, next));
  const f32 = new Float32Array(memory.buffer);
  const oldTerms = termsPtrOf(rowsPtr, rowBytes, capacity) >> 2;
  f32.copyWithin(termsPtrOf(rowsPtr, rowBytes, next) >> 2, oldTerms, oldTerms + capacity);
  f32.fill(0, oldTerms, oldTerms + capacity);
  return next;
}
