type GrowableArray = Uint8Array | Uint16Array | Int32Array | Float32Array | Float64Array;

/** A copy of `array` with room for `length` elements (the tail is zero). */
export function grown<T extends GrowableArray>(array: T, length: number): T {
  const next = new (array.constructor as new (length: number) => T)(length);
  next.set(array);
  return next;
}
