import { type Metric, RagloomError } from '@ragloom/core';
import { createJsVectorKernel } from './js-vector-kernel.js';
import type { KernelPreference, VectorKernel } from './vector-kernel.js';
import { sharedWasmSimdModule, wasmSimdModule } from './wasm-module.js';
import { createWasmVectorKernel } from './wasm-vector-kernel.js';

/** True when this runtime can run the WebAssembly SIMD kernel. */
export function wasmSimdSupported(): boolean {
  return wasmSimdModule() !== null;
}

/** True when the kernel's memory can be shared with builder threads (SharedArrayBuffer + wasm threads). */
export function sharedKernelSupported(): boolean {
  return sharedWasmSimdModule() !== null;
}

/**
 * The kernel for a preference: 'auto' takes WebAssembly SIMD when the runtime has it. `shared`
 * asks for memory builder threads can attach to (honoured by the wasm kernel where supported).
 */
export function createVectorKernel(
  preference: KernelPreference,
  dimension: number,
  metric: Metric,
  capacity: number,
  shared = false,
): VectorKernel {
  if (preference !== 'js') {
    const kernel = createWasmVectorKernel(dimension, metric, capacity, shared && sharedKernelSupported());
    if (kernel !== null) return kernel;
    if (preference === 'wasm') {
      throw new RagloomError(
        'UNSUPPORTED',
        "this runtime has no WebAssembly SIMD; use kernel: 'auto' or 'js' (same results, slower)",
      );
    }
  }
  return createJsVectorKernel(dimension, metric, capacity);
}
