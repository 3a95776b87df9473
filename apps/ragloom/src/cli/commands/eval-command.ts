import { resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';
import type { Command } from 'commander';
import { runEval } from '../../eval/run-eval.js';
import {
  downloadProgress,
  type GlobalOptions,
  info,
  interruptSignal,
  loadCliConfig,
  warn,
} from '../cli-context.js';
import { createProgressBar, type ProgressBar } from '../progress-bar.js';

interface EvalOptions {
  readonly out?: string;
  readonly limit?: string;
  readonly k?: string;
  readonly split?: string;
  readonly metric?: string;
}

const HEADLINE: Record<'retrieval' | 'qa', string[]> = {
  retrieval: ['ndcg@10', 'recall@100', 'mrr@10'],
  qa: ['exact', 'f1', 'contextRecall', 'faithfulness'],
};

const positive = (value: string | undefined, flag: string) => {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new RagloomError('INVALID_ARGUMENT', `${flag} must be a positive integer, got ${value}`);
  return n;
};

export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('evaluate the configured setup on a BEIR folder or a SQuAD-format file and write reports')
    .argument('<dataset>', 'BEIR folder (corpus.jsonl, queries.jsonl, qrels/) or SQuAD-format .json')
    .option('-o, --out <dir>', 'where report.json, report.md and report.html go', 'ragloom-eval')
    .option('--limit <n>', 'evaluate only the first n queries or questions')
    .option('-k, --k <n>', 'BEIR: hits per query (default 100)')
    .option('--split <name>', 'BEIR: qrels split (default test)')
    .option('--metric <name>', 'QA: squad, cmrc or nq-open (default: cmrc for Chinese questions, else squad)')
    .addHelpText(
      'after',
      `
The data set is indexed separately (under <dataDir>/eval/) with the configured encoder and retrievers, and
reused while the data and settings stay the same. BEIR gives trec_eval-exact nDCG/recall/MRR per retriever
and for the fused pipeline; SQuAD-format data gives the official EM/F1 plus context and faithfulness metrics.

Examples:
  ragloom eval ../shared/assets/data/scifact --limit 100
  ragloom eval squad-dev.json --limit 50 --out reports/squad`,
    )
    .action(async (dataset: string, options: EvalOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (options.metric !== undefined && !['squad', 'cmrc', 'nq-open'].includes(options.metric)) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `--metric must be squad, cmrc or nq-open, got ${options.metric}`,
        );
      }
      const loaded = await loadCliConfig(globals);
      const interrupt = interruptSignal();
      const bars = new Map<string, ProgressBar>();
      try {
        const result = await runEval(loaded, {
          dataset,
          outDir: resolve(options.out ?? 'ragloom-eval'),
          limit: positive(options.limit, '--limit'),
          k: positive(options.k, '--k'),
          split: options.split,
          answerMetric: options.metric as 'squad' | 'cmrc' | 'nq-open' | undefined,
          signal: interrupt.signal,
          runtime: {
            onProgress: downloadProgress(),
            log: (level, m) => (level === 'warn' ? warn(m) : info(m, globals)),
          },
          onProgress: (step, completed, total) => {
            let bar = bars.get(step);
            if (!bar) {
              for (const other of bars.values()) other.done();
              bars.clear();
              bar = createProgressBar({
                title: step,
                unit: step === 'index' ? 'docs' : step === 'questions' ? 'questions' : 'queries',
              });
              bars.set(step, bar);
            }
            bar.update(completed, total);
          },
        });
        for (const bar of bars.values()) bar.done();
        if (result.reusedIndex)
          info('reused the eval index from an earlier run (same data, same settings)', globals);
        const names = HEADLINE[result.kind];
        const rows = result.runs.map((run) => {
          const cells = names.map((n) => {
            const v = run.aggregate[n];
            return `${n} ${v === undefined || Number.isNaN(v) ? '-' : v.toFixed(4)}`;
          });
          return `${run.name.padEnd(24)} ${cells.join('  ')}  (${run.evaluatedQueries} ${result.kind === 'qa' ? 'questions' : 'queries'})`;
        });
        process.stdout.write(`${rows.join('\n')}\nreports: ${result.reports.join(', ')}\n`);
      } finally {
        interrupt.dispose();
      }
    });
}
