type TypedArrayConstructor<T> = {
  new (length: number): T;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): T;
  readonly BYTES_PER_ELEMENT: number;
};
type Growable = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** True where memory can be shared with worker threads (Node; browsers only when cross-origin isolated). */
export const sharedMemorySupported = typeof SharedArrayBuffer === 'function';

/**
 * A typed array of `length` zeroed elements, over a SharedArrayBuffer when `shared` (so worker
 * threads building the graph see the same memory), else over an ordinary ArrayBuffer.
 */
export function allocateArray<T extends Growable>(
  ctor: TypedArrayConstructor<T>,
  length: number,
  shared: boolean,
): T {
  if (!shared) return new ctor(length);
  return new ctor(new SharedArrayBuffer(length * ctor.BYTES_PER_ELEMENT), 0, length);
}

/** A copy of `array` with room for `length` elements (the tail zero), shared when `shared`. */
export function grownArray<T extends Growable>(array: T, length: number, shared: boolean): T {
  const next = allocateArray(array.constructor as TypedArrayConstructor<T>, length, shared);
  next.set(array.subarray(0, Math.min(array.length, length)) as never);
  return next;
}

export function isShared(array: Growable): boolean {
  return sharedMemorySupported && array.buffer instanceof SharedArrayBuffer;
}
