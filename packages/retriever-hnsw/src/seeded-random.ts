/**
 * A small seeded generator (SplitMix32-style mixing over a 32-bit counter) so that an index built
 * from the same records with the same seed has the same graph: reproducible tests and builds.
 * Returns the state alongside, so it can be stored in the index file and resumed after a load.
 */
export function nextRandom(state: number): { value: number; state: number } {
  const next = (state + 0x9e3779b9) | 0;
  let z = next;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  z ^= z >>> 16;
  // (0, 1]: never 0, so -ln(u) is finite.
  return { value: ((z >>> 0) + 1) / 0x100000000, state: next };
}
