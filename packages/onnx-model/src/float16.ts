import { RagloomError } from '@ragloom/core';
import { Tensor } from 'onnxruntime-node';

/**
 * float16 tensors on every supported Node, in one place.
 *
 * What onnxruntime-node 1.30 does depends on the Node version:
 * - Node 20 and 22 have no `Float16Array`: a float16 tensor's `data` is a `Uint16Array` of IEEE 754 half bits.
 *   Read as numbers, those are integers like 50745 — pooled or sampled from, they give wrong results silently.
 * - Node 24 has `Float16Array`: outputs come back as `Float16Array` (real values), and `new Tensor('float16',
 *   uint16Array)` wraps the bits in a `Float16Array` view. But onnxruntime-node misreads a non-empty
 *   `Float16Array` input (`not enough space: expected 64, got 0`), so feeding a float16 output back in (a KV
 *   cache) fails unless the tensor's data is a `Uint16Array` again.
 *
 * So adapters never touch float16 `data` directly: they read outputs with {@link tensorToFloat32} and build
 * float16 inputs with {@link float16Tensor} / {@link outputAsInput}.
 */

const isFloat16Array = (data: unknown): data is ArrayBufferView & { readonly length: number } =>
  Object.prototype.toString.call(data) === '[object Float16Array]';

/** The raw half-precision bits of a float16 tensor's data (a view, no copy), whatever Node returned. */
export function float16Bits(data: unknown): Uint16Array {
  if (data instanceof Uint16Array) return data;
  if (isFloat16Array(data)) return new Uint16Array(data.buffer, data.byteOffset, data.length);
  throw new RagloomError(
    'MODEL_INVALID',
    `float16 tensor data must be a Uint16Array or Float16Array, got ${Object.prototype.toString.call(data)}`,
  );
}

/** All 65,536 half values as float32 (256 KB, built once at load): converting logits is one lookup per value. */
const HALF_TO_FLOAT = Float32Array.from({ length: 0x10000 }, (_, h) => {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024); // ±0 and subnormals
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
});

/** IEEE 754 half bits → float32 values (exact: every half is a float32). */
export function float16ToFloat32(bits: Uint16Array, out = new Float32Array(bits.length)): Float32Array {
  for (let i = 0; i < bits.length; i++) out[i] = HALF_TO_FLOAT[bits[i] as number] as number;
  return out;
}

/**
 * The values of a floating-point output tensor as float32: float32 data as it is (no copy), float16 converted
 * (a new array). Anything else is `MODEL_INVALID`, naming `what` (e.g. "logits of /m/onnx/model.onnx").
 */
export function tensorToFloat32(tensor: Tensor, what: string): Float32Array {
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  if (tensor.type === 'float16') return float16ToFloat32(float16Bits(tensor.data));
  throw new RagloomError('MODEL_INVALID', `${what} is ${tensor.type}; expected float32 or float16`, {
    details: { type: tensor.type },
  });
}

/**
 * A float16 input tensor from half bits that onnxruntime-node reads correctly on every Node: on Node 24 the
 * tensor's `data` is pinned to the `Uint16Array` (the `Float16Array` view onnxruntime-common puts there is
 * what onnxruntime-node misreads). Shares `bits`, no copy.
 */
export function float16Tensor(bits: Uint16Array, dims: readonly number[]): Tensor {
  const tensor = new Tensor('float16', bits, dims);
  if (tensor.data !== bits) Object.defineProperty(tensor, 'data', { value: bits, enumerable: true });
  return tensor;
}

/** An output tensor ready to feed back as an input (a KV cache): float16 ones re-wrapped, others as they are. */
export function outputAsInput(tensor: Tensor): Tensor {
  if (tensor.type !== 'float16') return tensor;
  const bits = float16Bits(tensor.data);
  return tensor.data === bits ? tensor : float16Tensor(bits, tensor.dims);
}
