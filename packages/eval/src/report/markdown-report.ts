import { COMPARISON_NOTE, comparisonTable } from './comparison-table.js';
import type { EvalReport } from './eval-report.js';
import { answerCell, formatMs, formatScore, goldCell, METHOD_LABELS, usageText } from './format.js';

const escapeCell = (text: string) => text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const align = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [header, align, ...rows].map((row) => `| ${row.map(escapeCell).join(' | ')} |`).join('\n');
}

export interface MarkdownReportOptions {
  /** Measures to show (default: every measure of the runs). */
  readonly measures?: readonly string[];
  /** Per-query rows to list for the first run, worst first by its first measure (default 0: none). */
  readonly perQueryRows?: number;
}

/**
 * The report as Markdown for pull requests: one table of measures per run, a comparison with deltas
 * and significance when there are two or more runs, latency percentiles, usage and cost, and which
 * metrics came from an offline fallback instead of an LLM judge.
 */
export function toMarkdownReport(report: EvalReport, options: MarkdownReportOptions = {}): string {
  const runs = report.runs;
  const measures = options.measures ?? [...new Set(runs.flatMap((r) => r.measures))];
  const out: string[] = [`# ${report.title}`, ''];
  out.push(
    table(
      ['run', 'queries', ...measures],
      runs.map((r) => [
        r.name,
        String(r.evaluatedQueries),
        ...measures.map((m) => formatScore(r.aggregate[m])),
      ]),
    ),
    '',
  );
  const comparison = comparisonTable(runs, options.measures);
  if (comparison) {
    out.push(
      `## Compared with ${comparison.baseline}`,
      '',
      table(
        comparison.head,
        comparison.rows.map((row) => row.map((cell) => cell.text)),
      ),
      '',
      COMPARISON_NOTE,
      '',
    );
  }
  out.push('## Latency (ms per query)', '');
  out.push(
    table(
      ['run', 'p50', 'p95', 'p99', 'mean', 'max', 'total s'],
      runs.map((r) => [
        r.name,
        formatMs(r.latency.p50),
        formatMs(r.latency.p95),
        formatMs(r.latency.p99),
        formatMs(r.latency.mean),
        formatMs(r.latency.max),
        (r.durationMs / 1000).toFixed(1),
      ]),
    ),
    '',
  );
  const usageLines = runs.map((r) => `- ${r.name}: ${usageText(r)}`);
  out.push('## Usage', '', ...usageLines, '');
  const methodLines = runs.flatMap((r) =>
    r.kind === 'pipeline'
      ? Object.entries(r.methods).map(
          ([metric, method]) => `- ${r.name} / ${metric}: ${METHOD_LABELS[method] ?? method}`,
        )
      : [],
  );
  if (methodLines.length > 0) out.push('## How judged metrics were computed', '', ...methodLines, '');
  for (const r of runs)
    if (r.kind === 'pipeline' && (r.refusedQuestions ?? 0) > 0)
      out.push(
        `> ${r.name}: the pipeline refused ${r.refusedQuestions} question(s) (see their \`errors\`); they are scored as unanswered.`,
        '',
      );
  const failures = runs.filter((r) => r.kind === 'pipeline' && r.judgeFailures > 0);
  for (const r of failures)
    if (r.kind === 'pipeline')
      out.push(
        `> ${r.name}: the judge gave no usable verdict for ${r.judgeFailures} question(s); they are left out of its means.`,
        '',
      );
  const rows = options.perQueryRows ?? 0;
  if (rows > 0) {
    const first = runs[0]!;
    const key = first.measures[0];
    const sorted = [...first.queries]
      .sort((a, b) => (a.metrics?.[key!] ?? 0) - (b.metrics?.[key!] ?? 0))
      .slice(0, rows);
    out.push(`## Lowest ${key} in ${first.name}`, '');
    const shown = first.measures.slice(0, 4);
    const answers = first.kind === 'pipeline' ? ['answer', 'gold'] : [];
    out.push(
      table(
        ['query', 'text', ...answers, ...shown, 'ms'],
        sorted.map((q) => [
          q.id,
          ('text' in q ? q.text : q.question).slice(0, 80),
          ...('answer' in q ? [answerCell(q).slice(0, 120), goldCell(q.goldAnswers).slice(0, 80)] : []),
          ...shown.map((m) => formatScore(q.metrics?.[m])),
          formatMs(q.latencyMs),
        ]),
      ),
      '',
    );
  }
  return out.join('\n');
}
