import { distanceKernelsWasmBase64, sharedDistanceKernelsWasmBase64 } from './wasm/distance-kernels-wasm.js';

/** The exports of distance-kernels.wat. */
export interface KernelExports {
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
  u8Dot(query: number, row: number, bytes: number): number;
  int8Batch(
    query: number,
    base: number,
    stride: number,
    slots: number,
    count: number,
    out: number,
    aux: number,
    mode: number,
    queryOffset: number,
    queryFactor: number,
    inverseScale: number,
  ): void;
  hamming(a: number, b: number, bytes: number): number;
  hammingBatch(query: number, base: number, stride: number, slots: number, count: number, out: number): void;
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
