import { RagloomError } from '../errors/ragloom-error.js';
import type { Metric, VectorLike } from '../spec/shared-types.js';

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a));
}

export function squaredL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return s;
}

export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = norm(a) * norm(b);
  return n === 0 ? 0 : dot(a, b) / n;
}

/** A new unit-length copy (a zero vector stays zero). */
export function normalize(vector: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(vector as ArrayLike<number>);
  const n = norm(out);
  if (n > 0) for (let i = 0; i < out.length; i++) out[i]! /= n;
  return out;
}

/**
 * The score a dense retriever reports for a metric; higher is better everywhere:
 * cosine similarity, dot product, or the negative squared L2 distance.
 */
export function similarity(metric: Metric, a: ArrayLike<number>, b: ArrayLike<number>): number {
  switch (metric) {
    case 'cosine':
      return cosineSimilarity(a, b);
    case 'dot':
      return dot(a, b);
    case 'l2':
      return -squaredL2(a, b);
  }
}

/**
 * Checks a vector given to ragloom and returns it as a Float32Array: wrong length →
 * DIMENSION_MISMATCH, NaN/Infinity or non-numbers → INVALID_ARGUMENT. `what` names it in messages.
 */
export function toValidVector(vector: unknown, dimension: number, what = 'vector'): Float32Array {
  if (!(vector instanceof Float32Array) && !Array.isArray(vector)) {
    throw new RagloomError('INVALID_ARGUMENT', `${what} must be a Float32Array or an array of numbers`, {
      details: { what },
    });
  }
  if (vector.length !== dimension) {
    throw new RagloomError(
      'DIMENSION_MISMATCH',
      `${what} has dimension ${vector.length}, but the index expects ${dimension}`,
      { details: { what, expected: dimension, actual: vector.length } },
    );
  }
  for (let i = 0; i < vector.length; i++) {
    const x = vector[i] as unknown;
    if (typeof x !== 'number' || !Number.isFinite(x)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `${what}[${i}] is ${String(x)}; vectors must hold finite numbers`,
        {
          details: { what, index: i },
        },
      );
    }
  }
  return vector instanceof Float32Array ? vector : Float32Array.from(vector as readonly number[]);
}

export type { Metric, VectorLike };
