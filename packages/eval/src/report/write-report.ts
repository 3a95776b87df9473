import { extname } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import { type EvalReport, toJsonReport } from './eval-report.js';
import { type HtmlReportOptions, toHtmlReport } from './html-report.js';
import { type MarkdownReportOptions, toMarkdownReport } from './markdown-report.js';

export type ReportFormat = 'json' | 'markdown' | 'html';

/**
 * Writes a report atomically in the format its extension names (.json, .md, .html) or the one given.
 */
export async function writeReport(
  path: string,
  report: EvalReport,
  options: { readonly format?: ReportFormat } & HtmlReportOptions & MarkdownReportOptions = {},
): Promise<void> {
  const byExtension: Record<string, ReportFormat> = {
    '.json': 'json',
    '.md': 'markdown',
    '.markdown': 'markdown',
    '.html': 'html',
    '.htm': 'html',
  };
  const format = options.format ?? byExtension[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `cannot tell the report format of "${path}"; use .json, .md or .html, or pass { format }`,
    );
  }
  const content =
    format === 'json'
      ? toJsonReport(report)
      : format === 'markdown'
        ? toMarkdownReport(report, options)
        : await toHtmlReport(report, options);
  await writeFileAtomic(path, content);
}
