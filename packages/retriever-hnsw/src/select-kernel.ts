import { type Metric, RagloomError } from '@ragloom/core';
import { createJsVectorKernel } from './js-vector-kernel.js';
import type { KernelPreference, VectorKernel } from './vector-kernel.js';
import { createWasmVectorKernel, wasmSimdModule } from './wasm-vector-kernel.js';

/** True when this runtime can run the WebAssembly SIMD kernel. */
export function wasmSimdSupported(): boolean {
  return wasmSimdModule() !== null;
}

/** The kernel for a preference: 'auto' takes WebAssembly SIMD when the runtime has it. */
export function createVectorKernel(
  preference: KernelPreference,
  dimension: number,
  metric: Metric,
  capacity: number,
): VectorKernel {
  if (preference !== 'js') {
    const kernel = createWasmVectorKernel(dimension, metric, capacity);
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
