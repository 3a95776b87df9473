import { readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import type { EvalRunResult } from '../runner/run-types.js';

export const REPORT_FORMAT = 'ragloom-eval-report';
export const REPORT_VERSION = 1;

/** One or more evaluation runs, as written to JSON and rendered to Markdown and HTML. */
export interface EvalReport {
  readonly format: typeof REPORT_FORMAT;
  readonly version: typeof REPORT_VERSION;
  readonly title: string;
  readonly createdAt: string;
  readonly runs: readonly EvalRunResult[];
}

/** Bundles runs into a report. Runs compared side by side should share measures and queries. */
export function createReport(
  runs: readonly EvalRunResult[],
  options: { readonly title?: string } = {},
): EvalReport {
  if (!Array.isArray(runs) || runs.length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', 'a report needs at least one run');
  }
  const names = new Set<string>();
  for (const run of runs) {
    if (run?.kind !== 'retrieval' && run?.kind !== 'pipeline') {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        'report runs must be results of evaluateRetriever or evaluatePipeline',
      );
    }
    if (names.has(run.name)) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `two runs are named "${run.name}"; give each run a distinct name`,
      );
    }
    names.add(run.name);
  }
  return {
    format: REPORT_FORMAT,
    version: REPORT_VERSION,
    title: options.title ?? 'ragloom evaluation',
    createdAt: new Date().toISOString(),
    runs,
  };
}

/** The report as JSON (NaN and infinities become null). */
export function toJsonReport(report: EvalReport): string {
  return `${JSON.stringify(report, (_key, value) => (typeof value === 'number' && !Number.isFinite(value) ? null : value), 2)}\n`;
}

/** Parses and checks a JSON report (format, version and the shape of every run). */
export function parseJsonReport(text: string, source = 'report'): EvalReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new RagloomError('INVALID_ARGUMENT', `${source}: malformed JSON (${(cause as Error).message})`, {
      cause,
    });
  }
  const report = value as Partial<EvalReport> | null;
  if (report?.format !== REPORT_FORMAT) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${source} is not a ragloom eval report (format "${String(report?.format)}")`,
    );
  }
  if (report.version !== REPORT_VERSION) {
    throw new RagloomError(
      'UNSUPPORTED',
      `${source}: report version ${String(report.version)} is not supported (expected ${REPORT_VERSION})`,
    );
  }
  if (!Array.isArray(report.runs) || report.runs.length === 0) {
    throw new RagloomError('INVALID_ARGUMENT', `${source}: "runs" must be a non-empty array`);
  }
  report.runs.forEach((run, i) => {
    const ok =
      typeof run === 'object' &&
      run !== null &&
      (run.kind === 'retrieval' || run.kind === 'pipeline') &&
      typeof run.name === 'string' &&
      Array.isArray(run.measures) &&
      typeof run.aggregate === 'object' &&
      Array.isArray(run.queries);
    if (!ok) throw new RagloomError('INVALID_ARGUMENT', `${source}: runs[${i}] is not a valid run result`);
  });
  return report as EvalReport;
}

/** Reads a JSON report written by writeReport / toJsonReport, verifying it. */
export async function readJsonReport(path: string): Promise<EvalReport> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new RagloomError('NOT_FOUND', `report not found: ${path}`, { cause, details: { file: path } });
  }
  return parseJsonReport(text, path);
}

/** Writes text to a file atomically (temporary file + rename). */
export async function writeReportFile(path: string, content: string): Promise<void> {
  await writeFileAtomic(path, content);
}
