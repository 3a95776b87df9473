import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { RagloomError } from '@ragloom/core';
import type { EvalRunResult } from '../runner/run-types.js';
import { COMPARISON_NOTE, type ComparisonCell, comparisonTable } from './comparison-table.js';
import type { EvalReport } from './eval-report.js';
import {
  answerCell,
  formatMs,
  formatScore,
  goldCell,
  METHOD_LABELS,
  measuresByK,
  usageText,
} from './format.js';

export interface HtmlReportOptions {
  /** Measures shown in the per-query table (default: up to four headline measures per run). */
  readonly perQueryMeasures?: readonly string[];
  /** Bins of the latency histogram (default 20). */
  readonly latencyBins?: number;
  /** The charting library's UMD source; default: Chart.js from this package's dependencies. */
  readonly chartLibrarySource?: string;
}

const PALETTE = ['#2563eb', '#dc2626', '#059669', '#d97706', '#7c3aed', '#db2777', '#0891b2', '#4b5563'];
const HEADLINE = [
  'ndcg@10',
  'recall@100',
  'mrr@10',
  'exact',
  'f1',
  'answerHasGold',
  'declined',
  'faithfulness',
  'answerRelevance',
  'contextRecall',
];

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

// JSON inside <script> must not close the element or break on U+2028/9.
const scriptJson = (value: unknown) =>
  JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v))
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');

/** Reads Chart.js's UMD build from node_modules, to inline it (the page needs no network). */
export async function loadChartJsSource(): Promise<string> {
  const require = createRequire(import.meta.url);
  let entry: string;
  try {
    entry = require.resolve('chart.js');
  } catch (cause) {
    throw new RagloomError('NOT_FOUND', 'chart.js is not installed; it is a dependency of @ragloom/eval', {
      cause,
    });
  }
  const candidates = ['chart.umd.min.js', 'chart.umd.js'].map((name) => join(dirname(entry), name));
  const file = candidates.find((c) => existsSync(c));
  if (file === undefined) {
    throw new RagloomError('NOT_FOUND', `Chart.js UMD build not found next to ${entry}`, {
      details: { candidates },
    });
  }
  return readFile(file, 'utf8');
}

interface ChartSpec {
  readonly id: string;
  readonly title: string;
  readonly kind: string;
  readonly config: unknown;
}

function colour(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

function chartSpecs(runs: readonly EvalRunResult[], bins: number): ChartSpec[] {
  const specs: ChartSpec[] = [];
  const allMeasures = [...new Set(runs.flatMap((r) => r.measures))];
  for (const [family, cutoffs] of measuresByK(allMeasures)) {
    if (cutoffs.length < 2) continue;
    specs.push({
      id: `chart-by-k-${family}`,
      title: `${family} by k`,
      kind: 'metric-by-k',
      config: {
        type: 'line',
        data: {
          labels: cutoffs.map(([k]) => `@${k}`),
          datasets: runs.map((r, i) => ({
            label: r.name,
            data: cutoffs.map(([, name]) => r.aggregate[name] ?? null),
            borderColor: colour(i),
            backgroundColor: colour(i),
            tension: 0,
          })),
        },
        options: {
          scales: {
            y: { title: { display: true, text: family } },
            x: { title: { display: true, text: 'k' } },
          },
        },
      },
    });
  }
  const flat = allMeasures.filter((m) => !/@\d+$/.test(m));
  if (flat.length > 0) {
    specs.push({
      id: 'chart-metrics',
      title: 'Metrics',
      kind: 'metrics',
      config: {
        type: 'bar',
        data: {
          labels: flat,
          datasets: runs.map((r, i) => ({
            label: r.name,
            data: flat.map((m) => r.aggregate[m] ?? null),
            backgroundColor: colour(i),
          })),
        },
        options: { scales: { y: { min: 0, max: 1 } } },
      },
    });
  }
  // One set of bins for every run, so the histograms are comparable.
  const latencies = runs.map((r) => r.queries.map((q) => q.latencyMs));
  const all = latencies.flat();
  if (all.length > 0) {
    const min = Math.min(...all);
    const max = Math.max(...all);
    const n = max > min ? bins : 1;
    const width = max > min ? (max - min) / n : 1;
    const edges = Array.from({ length: n }, (_, i) => min + i * width);
    specs.push({
      id: 'chart-latency',
      title: 'Latency histogram (ms per query)',
      kind: 'latency-histogram',
      config: {
        type: 'bar',
        data: {
          labels: edges.map((e) => `${formatMs(e)}–${formatMs(e + width)}`),
          datasets: latencies.map((values, i) => {
            const counts = new Array<number>(n).fill(0);
            for (const v of values) counts[Math.min(n - 1, Math.floor((v - min) / width))]!++;
            return { label: runs[i]!.name, data: counts, backgroundColor: `${colour(i)}cc` };
          }),
        },
        options: {
          scales: {
            x: { title: { display: true, text: 'latency (ms)' } },
            y: { title: { display: true, text: 'queries' }, beginAtZero: true },
          },
        },
      },
    });
  }
  return specs;
}

function headline(run: EvalRunResult, requested: readonly string[] | undefined): string[] {
  if (requested) return requested.filter((m) => run.measures.includes(m));
  const preferred = HEADLINE.filter((m) => run.measures.includes(m));
  return (preferred.length > 0 ? preferred : run.measures).slice(0, 4);
}

function summaryTable(runs: readonly EvalRunResult[]): string {
  const measures = [...new Set(runs.flatMap((r) => r.measures))];
  const head = ['run', 'kind', 'queries', ...measures, 'p50 ms', 'p95 ms', 'p99 ms'];
  const rows = runs.map((r) => [
    escapeHtml(r.name),
    r.kind,
    String(r.evaluatedQueries),
    ...measures.map((m) => formatScore(r.aggregate[m])),
    formatMs(r.latency.p50),
    formatMs(r.latency.p95),
    formatMs(r.latency.p99),
  ]);
  return `<table id="summary-table"><thead><tr>${head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${rows
    .map((row) => `<tr>${row.map((c, i) => `<td${i > 1 ? ' class="num"' : ''}>${c}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;
}

function comparisonSection(runs: readonly EvalRunResult[]): string {
  const comparison = comparisonTable(runs);
  if (!comparison) return '';
  const cellHtml = (cell: ComparisonCell) =>
    cell.trend === undefined
      ? escapeHtml(cell.text)
      : `<span class="delta${cell.trend === 'flat' ? '' : ` ${cell.trend}`}">${escapeHtml(cell.text)}</span>`;
  return `<section id="comparison"><h2>Compared with ${escapeHtml(comparison.baseline)}</h2><table id="comparison-table"><thead><tr>${comparison.head
    .map((h) => `<th>${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${comparison.rows
    .map(
      (row) =>
        `<tr>${row.map((c, i) => `<td${i > 0 ? ' class="num"' : ''}>${cellHtml(c)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table><p class="note">${escapeHtml(COMPARISON_NOTE)}</p></section>`;
}

function perQueryTable(runs: readonly EvalRunResult[], requested: readonly string[] | undefined): string {
  const columns = runs.map((r) => headline(r, requested));
  const ids: string[] = [];
  const texts = new Map<string, string>();
  const byRun = runs.map((r) => new Map(r.queries.map((q) => [q.id, q])));
  for (const r of runs) {
    for (const q of r.queries) {
      if (!texts.has(q.id)) {
        ids.push(q.id);
        texts.set(q.id, 'text' in q ? q.text : q.question);
      }
    }
  }
  const multi = runs.length > 1;
  const head = ['query', 'text'];
  runs.forEach((r, i) => {
    const prefix = multi ? `${r.name}: ` : '';
    if (r.kind === 'pipeline') head.push(`${prefix}answer`, `${prefix}gold`);
    head.push(...columns[i]!.map((m) => `${prefix}${m}`), `${prefix}ms`);
  });
  const rows = ids.map((id) => {
    const cells = [`<td>${escapeHtml(id)}</td>`, `<td class="text">${escapeHtml(texts.get(id)!)}</td>`];
    runs.forEach((r, i) => {
      const q = byRun[i]!.get(id);
      if (r.kind === 'pipeline') {
        const answered = q && 'answer' in q ? q : undefined;
        cells.push(
          `<td class="text">${answered ? escapeHtml(answerCell(answered)) : ''}</td>`,
          `<td class="text">${answered ? escapeHtml(goldCell(answered.goldAnswers)) : ''}</td>`,
        );
      }
      for (const m of columns[i]!) cells.push(`<td class="num">${formatScore(q?.metrics?.[m])}</td>`);
      cells.push(`<td class="num">${formatMs(q?.latencyMs)}</td>`);
    });
    return `<tr>${cells.join('')}</tr>`;
  });
  return `<table id="per-query-table" class="sortable"><thead><tr>${head
    .map((h) => `<th title="click to sort">${escapeHtml(h)}</th>`)
    .join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function detailsSection(runs: readonly EvalRunResult[]): string {
  const items = runs.map((r) => {
    const usage = usageText(r);
    const methods =
      r.kind === 'pipeline'
        ? Object.entries(r.methods)
            .map(
              ([metric, method]) =>
                `<li>${escapeHtml(metric)}: <strong>${escapeHtml(METHOD_LABELS[method] ?? method)}</strong></li>`,
            )
            .join('')
        : '';
    const failures =
      r.kind === 'pipeline' && r.judgeFailures > 0
        ? `<li>judge failures: ${r.judgeFailures} question(s) left out of judged means</li>`
        : '';
    const refused =
      r.kind === 'pipeline' && (r.refusedQuestions ?? 0) > 0
        ? `<li>refused by the pipeline: ${r.refusedQuestions} question(s), scored as unanswered</li>`
        : '';
    return `<li><strong>${escapeHtml(r.name)}</strong> — ${r.evaluatedQueries} queries, ${(r.durationMs / 1000).toFixed(1)} s total, ${usage}; latency p50 ${formatMs(r.latency.p50)} / p95 ${formatMs(r.latency.p95)} / p99 ${formatMs(r.latency.p99)} ms${
      r.resumedQueries > 0 ? `; ${r.resumedQueries} resumed from cache` : ''
    }<ul>${methods}${failures}${refused}</ul></li>`;
  });
  return `<section id="details"><h2>Runs</h2><ul>${items.join('')}</ul></section>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;margin:24px auto;max-width:1200px;padding:0 16px;color:#111827}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px}h3{font-size:14px;margin:0 0 6px}
.meta,.note{color:#6b7280;font-size:12px}
table{border-collapse:collapse;width:100%;margin:8px 0;font-size:13px}
th,td{border-bottom:1px solid #e5e7eb;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f9fafb;cursor:default}.sortable th{cursor:pointer}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
td.text{max-width:420px}
.delta.up{color:#047857}.delta.down{color:#b91c1c}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(360px,1fr));gap:16px}
.chart{border:1px solid #e5e7eb;border-radius:6px;padding:10px}.chart .canvas-box{position:relative;height:260px}
#per-query{overflow-x:auto}
`;

const RENDER_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-charts').textContent);
  var rendered = 0;
  data.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas || typeof Chart === 'undefined') return;
    var config = spec.config;
    config.options = Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, config.options || {});
    new Chart(canvas, config);
    rendered++;
  });
  document.body.setAttribute('data-charts-rendered', String(rendered));
  document.querySelectorAll('table.sortable th').forEach(function (th, column) {
    th.addEventListener('click', function () {
      var tbody = th.closest('table').tBodies[0];
      var rows = Array.prototype.slice.call(tbody.rows);
      var descending = th.getAttribute('data-sort') !== 'desc';
      var value = function (row) {
        var text = row.cells[column].textContent;
        var n = parseFloat(text);
        return isNaN(n) ? text : n;
      };
      rows.sort(function (a, b) {
        var x = value(a), y = value(b);
        var c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
        return descending ? -c : c;
      });
      th.parentNode.querySelectorAll('th').forEach(function (h) { h.removeAttribute('data-sort'); });
      th.setAttribute('data-sort', descending ? 'desc' : 'asc');
      rows.forEach(function (row) { tbody.appendChild(row); });
    });
  });
})();
`;

/**
 * The report as one self-contained HTML page: summary and comparison tables, charts drawn by
 * Chart.js (inlined, so the page works offline and from a CI artifact) — each measure by k, the
 * judged metrics, a latency histogram — and a sortable per-query table.
 */
export async function toHtmlReport(report: EvalReport, options: HtmlReportOptions = {}): Promise<string> {
  const runs = report.runs;
  const chartSource = (options.chartLibrarySource ?? (await loadChartJsSource())).replace(
    /<\/script/gi,
    '<\\/script',
  );
  const specs = chartSpecs(runs, options.latencyBins ?? 20);
  const charts = specs
    .map(
      (s) =>
        `<div class="chart" data-chart-kind="${s.kind}"><h3>${escapeHtml(s.title)}</h3><div class="canvas-box"><canvas id="${s.id}" role="img" aria-label="${escapeHtml(s.title)}"></canvas></div></div>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="@ragloom/eval">
<title>${escapeHtml(report.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header><h1>${escapeHtml(report.title)}</h1><p class="meta">${escapeHtml(report.createdAt)} · ${runs.length} run(s): ${runs
    .map((r) => escapeHtml(r.name))
    .join(', ')}</p></header>
<section id="summary"><h2>Summary</h2>${summaryTable(runs)}</section>
${comparisonSection(runs)}
<section id="charts"><h2>Charts</h2><div class="charts">${charts}</div></section>
${detailsSection(runs)}
<section id="per-query"><h2>Per query</h2>${perQueryTable(runs, options.perQueryMeasures)}</section>
<script>${chartSource}</script>
<script type="application/json" id="report-charts">${scriptJson(specs.map((s) => ({ id: s.id, config: s.config })))}</script>
<script type="application/json" id="report-data">${scriptJson(report)}</script>
<script>${RENDER_SCRIPT}</script>
</body>
</html>
`;
}
