/**
 * One step of mulberry32 (a tiny, fast seeded PRNG with good statistical quality for its size) from
 * `state`: a number in [0, 1) and the state to continue from, a signed 32-bit integer so that it can be
 * stored (an index file keeps it to resume drawing after a load). Same state → same value on every machine.
 */
export function seededRandomStep(state: number): { value: number; state: number } {
  const next = (state + 0x6d2b79f5) | 0;
  let t = next;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, state: next };
}

/**
 * mulberry32 as a function of no arguments: same seed → same sequence on every machine, for reproducible
 * fixtures, sampling and randomisation tests. Returns numbers in [0, 1).
 */
export function seededRandom(seed: number): () => number {
  let state = seed | 0;
  return () => {
    const step = seededRandomStep(state);
    state = step.state;
    return step.value;
  };
}
