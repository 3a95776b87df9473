import { RagloomError, seededRandom } from '@ragloom/core';
import type { EvalRunResult } from '../runner/run-types.js';

/** One run against the baseline on one measure, over the queries both scored. */
export interface PairedComparison {
  readonly queries: number;
  /** Queries where the run scores higher / lower than / the same as the baseline. */
  readonly wins: number;
  readonly losses: number;
  readonly ties: number;
  /** Two-sided paired randomization (sign-flip) test of the mean difference; NaN for the baseline. */
  readonly pValue: number;
}

export interface MeasureComparison {
  readonly measure: string;
  /** Aggregate value per run (in run order); NaN when a run lacks the measure. */
  readonly values: readonly number[];
  /** value − baseline value per run (0 for the baseline itself). */
  readonly deltas: readonly number[];
  /** Per run (in run order) against the baseline. */
  readonly paired: readonly PairedComparison[];
}

export interface RunComparison {
  readonly runs: readonly string[];
  readonly baseline: string;
  readonly measures: readonly MeasureComparison[];
}

export interface CompareOptions {
  /** Index of the run the others are compared with (default 0). */
  readonly baseline?: number;
  /** Sign-flip permutations of the randomization test (default 10 000). */
  readonly permutations?: number;
  /** Seed of the permutation generator, so p-values are repeatable (default 42). */
  readonly seed?: number;
}

/** Two-sided paired randomization test: how often random sign flips give a mean difference at least as large. */
export function pairedRandomizationTest(
  differences: readonly number[],
  permutations = 10_000,
  seed = 42,
): number {
  const n = differences.length;
  if (n === 0) return Number.NaN;
  const observed = Math.abs(differences.reduce((a, b) => a + b, 0));
  if (observed === 0) return 1;
  const next = seededRandom(seed);
  let atLeast = 0;
  for (let p = 0; p < permutations; p++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += next() < 0.5 ? differences[i]! : -differences[i]!;
    if (Math.abs(sum) >= observed - 1e-12) atLeast++;
  }
  return (atLeast + 1) / (permutations + 1);
}

function perQuery(run: EvalRunResult, measure: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const q of run.queries) {
    const value = q.metrics?.[measure];
    if (typeof value === 'number' && Number.isFinite(value)) out.set(q.id, value);
  }
  return out;
}

function pairedComparison(
  baseline: ReadonlyMap<string, number>,
  run: ReadonlyMap<string, number>,
  options: CompareOptions,
): PairedComparison {
  const differences: number[] = [];
  let wins = 0;
  let losses = 0;
  let ties = 0;
  for (const [id, b] of baseline) {
    const v = run.get(id);
    if (v === undefined) continue;
    const d = v - b;
    differences.push(d);
    if (Math.abs(d) < 1e-12) ties++;
    else if (d > 0) wins++;
    else losses++;
  }
  return {
    queries: differences.length,
    wins,
    losses,
    ties,
    pValue: pairedRandomizationTest(differences, options.permutations, options.seed),
  };
}

/**
 * Compares two or more runs on the baseline's measures: aggregate values, deltas against it, and per
 * query wins/losses/ties with a paired randomization test, so a reviewer can tell a real improvement
 * from noise.
 */
export function compareRuns(runs: readonly EvalRunResult[], options: CompareOptions = {}): RunComparison {
  if (!Array.isArray(runs) || runs.length < 2) {
    throw new RagloomError('INVALID_ARGUMENT', 'comparing needs at least two runs');
  }
  const baselineIndex = options.baseline ?? 0;
  if (!Number.isInteger(baselineIndex) || baselineIndex < 0 || baselineIndex >= runs.length) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `baseline must be a run index between 0 and ${runs.length - 1}`,
    );
  }
  const baseline = runs[baselineIndex]!;
  // The baseline's measures: a run that lacks one shows NaN for it.
  const measures = baseline.measures.map((measure: string): MeasureComparison => {
    const values = runs.map((r) => r.aggregate[measure] ?? Number.NaN);
    const base = values[baselineIndex]!;
    const basePerQuery = perQuery(baseline, measure);
    return {
      measure,
      values,
      deltas: values.map((v) => v - base),
      paired: runs.map((run, i) =>
        i === baselineIndex
          ? { queries: basePerQuery.size, wins: 0, losses: 0, ties: 0, pValue: Number.NaN }
          : pairedComparison(basePerQuery, perQuery(run, measure), options),
      ),
    };
  });
  return { runs: runs.map((r) => r.name), baseline: baseline.name, measures };
}
