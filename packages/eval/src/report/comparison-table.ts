import type { EvalRunResult } from '../runner/run-types.js';
import { compareRuns } from './compare-runs.js';
import { formatDelta, formatP, formatScore } from './format.js';

/** A cell of the comparison table; a delta says which way the run moved from the baseline. */
export interface ComparisonCell {
  readonly text: string;
  readonly trend?: 'up' | 'down' | 'flat';
}

/** The comparison table both reports render: one row per measure, four columns per run after the baseline. */
export interface ComparisonTable {
  readonly baseline: string;
  readonly head: readonly string[];
  readonly rows: readonly (readonly ComparisonCell[])[];
}

export const COMPARISON_NOTE =
  'W/L/T: queries where the run beats / loses to / ties the baseline; p: two-sided paired randomization test (10 000 sign flips, seed 42).';

const trendOf = (delta: number): ComparisonCell['trend'] =>
  !Number.isFinite(delta) || Math.abs(delta) < 1e-12 ? 'flat' : delta > 0 ? 'up' : 'down';

/**
 * The runs of the first run's kind (retrieval with retrieval, pipeline with pipeline) compared with the first
 * of them, on `measures` when given; undefined when fewer than two runs are comparable.
 */
export function comparisonTable(
  runs: readonly EvalRunResult[],
  measures?: readonly string[],
): ComparisonTable | undefined {
  const comparable = runs.filter((r) => r.kind === runs[0]?.kind);
  if (comparable.length < 2) return undefined;
  const comparison = compareRuns(comparable);
  const others = comparable.slice(1).map((r) => r.name);
  const shown = comparison.measures.filter((m) => measures === undefined || measures.includes(m.measure));
  return {
    baseline: comparison.baseline,
    head: ['measure', comparison.baseline, ...others.flatMap((n) => [n, `Δ ${n}`, 'W/L/T', 'p'])],
    rows: shown.map((m) => [
      { text: m.measure },
      { text: formatScore(m.values[0]) },
      ...others.flatMap((_, j): ComparisonCell[] => {
        const i = j + 1;
        const p = m.paired[i]!;
        return [
          { text: formatScore(m.values[i]) },
          { text: formatDelta(m.deltas[i]!), trend: trendOf(m.deltas[i]!) },
          { text: `${p.wins}/${p.losses}/${p.ties}` },
          { text: formatP(p.pValue) },
        ];
      }),
    ]),
  };
}
