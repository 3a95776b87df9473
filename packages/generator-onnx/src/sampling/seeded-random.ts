/** A source of uniform floats in [0, 1). */
export type RandomSource = () => number;

/**
 * xoshiro128** seeded through splitmix32: fast, 2^128 - 1 period, and the same stream for the same seed on
 * every platform (only 32-bit integer arithmetic). The same seed therefore always samples the same text.
 */
export function createSeededRandom(seed: number): RandomSource {
  let x = (Math.trunc(seed) % 0x1_0000_0000) >>> 0;
  // Fold in the high bits of large seeds so 1 and 2^32 + 1 differ.
  const high = Math.floor(Math.abs(seed) / 0x1_0000_0000) >>> 0;
  const splitmix = () => {
    x = (x + 0x9e3779b9) >>> 0;
    let z = x ^ high;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = splitmix();
  let b = splitmix();
  let c = splitmix();
  let d = splitmix();
  if ((a | b | c | d) === 0) a = 1;
  return () => {
    const result = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a;
    d ^= b;
    b ^= c;
    a ^= d;
    c ^= t;
    d = rotl(d, 11);
    return result / 0x1_0000_0000;
  };
}

const rotl = (value: number, shift: number) => (value << shift) | (value >>> (32 - shift));

/** A seed from the OS, for sampling requests that give none. */
export function randomSeed(): number {
  return crypto.getRandomValues(new Uint32Array(1))[0] ?? 0;
}
