import type { Metric } from '@ragloom/core';

/** Sequential float64 dot product, the exact order of core's dot(): bit-identical results. */
export function referenceDot(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += a[ao + i]! * b[bo + i]!;
  return s;
}

/** Sequential float64 squared L2, the exact order of core's squaredL2(). */
export function referenceL2(a: Float32Array, ao: number, b: Float32Array, bo: number, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = a[ao + i]! - b[bo + i]!;
    s += d * d;
  }
  return s;
}

/**
 * The user-facing score of vector `v` (at `vo`, norm `vNorm`) for query `q` (norm `qNorm`),
 * bit-identical to core's `similarity()`: cosine is dot / (‖q‖·‖v‖), 0 when either is zero;
 * dot is the dot product; l2 is the negative squared distance.
 */
export function referenceScore(
  metric: Metric,
  q: Float32Array,
  qo: number,
  qNorm: number,
  v: Float32Array,
  vo: number,
  vNorm: number,
  n: number,
): number {
  if (metric === 'l2') return -referenceL2(q, qo, v, vo, n);
  const d = referenceDot(q, qo, v, vo, n);
  if (metric === 'dot') return d;
  const product = qNorm * vNorm;
  return product === 0 ? 0 : d / product;
}
