import { RagloomError } from '@ragloom/core';

export interface LatencySummary {
  readonly count: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  /** Percentiles in milliseconds, linear interpolation between closest ranks (numpy's default). */
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
}

/** The q-th percentile (0..100) of sorted values, interpolated linearly (numpy.percentile default). */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(q >= 0 && q <= 100))
    throw new RagloomError('INVALID_ARGUMENT', `percentile must be in 0..100, got ${q}`);
  const position = ((sorted.length - 1) * q) / 100;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (position - lower);
}

/** Count, mean, min, max and p50/p95/p99 of latencies in milliseconds (NaN fields when empty). */
export function summarizeLatency(milliseconds: readonly number[]): LatencySummary {
  const sorted = [...milliseconds].sort((a, b) => a - b);
  const sum = sorted.reduce((a, b) => a + b, 0);
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    min: sorted[0] ?? Number.NaN,
    max: sorted.at(-1) ?? Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  };
}

export interface HistogramBin {
  /** Lower edge in ms (inclusive). */
  readonly from: number;
  /** Upper edge in ms (exclusive, except for the last bin). */
  readonly to: number;
  readonly count: number;
}

/** Equal-width histogram of latencies (default 20 bins between min and max). */
export function latencyHistogram(milliseconds: readonly number[], bins = 20): HistogramBin[] {
  if (milliseconds.length === 0) return [];
  const min = Math.min(...milliseconds);
  const max = Math.max(...milliseconds);
  const width = max > min ? (max - min) / bins : 1;
  const counts = new Array<number>(max > min ? bins : 1).fill(0);
  for (const ms of milliseconds) counts[Math.min(counts.length - 1, Math.floor((ms - min) / width))]!++;
  return counts.map((count, i) => ({ from: min + i * width, to: min + (i + 1) * width, count }));
}
