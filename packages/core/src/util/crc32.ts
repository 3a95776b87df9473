/**
 * CRC-32 (IEEE 802.3, the zlib/PNG/gzip polynomial), so checksums in index files can be checked with any
 * standard tool. Node's native zlib.crc32 (Node ≥ 20.15) is used when present, found without a static
 * `node:zlib` import so core still loads in browsers; elsewhere a slice-by-4 table version gives the
 * same values.
 */
const TABLES: Uint32Array = (() => {
  const t = new Uint32Array(256 * 4);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!;
    for (let k = 1; k < 4; k++) {
      c = t[c & 0xff]! ^ (c >>> 8);
      t[k * 256 + n] = c >>> 0;
    }
  }
  return t;
})();

/** The portable CRC-32 of `data`, continuing from `previous` (0 to start). */
export function crc32Portable(data: Uint8Array, previous = 0): number {
  const t = TABLES;
  let crc = ~previous >>> 0;
  let i = 0;
  const n = data.length;
  for (; i + 4 <= n; i += 4) {
    crc ^= data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    crc =
      t[768 + (crc & 0xff)]! ^
      t[512 + ((crc >>> 8) & 0xff)]! ^
      t[256 + ((crc >>> 16) & 0xff)]! ^
      t[crc >>> 24]!;
  }
  for (; i < n; i++) crc = t[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}

type ZlibLike = { crc32?: (data: Uint8Array, value?: number) => number };

/** CRC-32 of `data`, continuing from `previous` (0 to start): native where available, portable elsewhere. */
export const crc32: (data: Uint8Array, previous?: number) => number = (() => {
  const getBuiltin = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process
    ?.getBuiltinModule;
  const native = (getBuiltin?.('node:zlib') as ZlibLike | undefined)?.crc32;
  return native ? (data: Uint8Array, previous = 0) => native(data, previous) : crc32Portable;
})();
