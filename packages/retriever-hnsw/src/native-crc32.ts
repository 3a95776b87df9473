import { type Crc32, crc32Portable } from './crc32.js';

type ZlibLike = { crc32?: (data: Uint8Array, value?: number) => number };

/**
 * Node's native zlib.crc32 (Node ≥ 20.15), found without a static `node:zlib` import so that the
 * package still loads in browsers, where the portable version is used. Both give the same values.
 */
export const crc32: Crc32 = (() => {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const zlib = getBuiltin?.('node:zlib') as ZlibLike | undefined;
  const native = zlib?.crc32;
  return native ? (data: Uint8Array, previous = 0) => native(data, previous) : crc32Portable;
})();
