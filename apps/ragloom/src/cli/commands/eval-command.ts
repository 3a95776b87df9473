import { resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { ANSWER_METRIC_NAMES, type AnswerMetric } from '@ragloom/eval';
import type { Command } from 'commander';
import { parseQuestionRange, runEval } from '../../eval/run-eval.js';
import { commandOutput, type GlobalOptions, interruptSignal, loadCliConfig } from '../cli-context.js';
import { createProgressBar, type ProgressBar } from '../progress-bar.js';

interface EvalOptions {
  readonly out?: string;
  readonly limit?: string;
  readonly questions?: string;
  readonly k?: string;
  readonly split?: string;
  readonly metric?: string;
}

const HEADLINE: Record<'retrieval' | 'qa', string[]> = {
  retrieval: ['ndcg@10', 'recall@100', 'mrr@10'],
  qa: ['exact', 'f1', 'answerHasGold', 'answerWords', 'answerCharacters', 'declined', 'contextRecall'],
};

// Means of counts (answer length) read better with one decimal; rates and scores with four.
const formatMeasure = (name: string, value: number) =>
  name === 'answerWords' || name === 'answerCharacters' ? value.toFixed(1) : value.toFixed(4);

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
    .option('--questions <range>', 'evaluate only these questions or queries, 1-based: 1-4000, 4001-, 17')
    .option('-k, --k <n>', 'BEIR: hits per query (default 100)')
    .option('--split <name>', 'BEIR: qrels split (default test)')
    .option(
      '--metric <name>',
      `QA: ${ANSWER_METRIC_NAMES.join(', ')} (default: cmrc for Chinese questions, squad-v1 for SQuAD 1.1 files, else squad)`,
    )
    .addHelpText(
      'after',
      `
The data set is indexed separately (under <dataDir>/eval/) with the configured encoder and retrievers, and
reused while the data and settings stay the same. BEIR gives trec_eval-exact nDCG/recall/MRR per retriever
and for the fused pipeline; SQuAD-format data gives the official EM/F1 (SQuAD v2.0 or v1.1, CMRC 2018,
NQ-open), how often the answer contains a gold answer (answerHasGold), answer length, how often the
pipeline declined (a decline scores as SQuAD 2.0's "no answer"), and context and faithfulness metrics.

Examples:
  ragloom eval ../shared/assets/data/scifact --limit 100
  ragloom eval squad-dev.json --questions 1-4000 --out reports/squad`,
    )
    .action(async (dataset: string, options: EvalOptions, command: Command) => {
      const globals = command.optsWithGlobals<GlobalOptions>();
      if (options.metric !== undefined && !ANSWER_METRIC_NAMES.includes(options.metric as AnswerMetric)) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `--metric must be one of ${ANSWER_METRIC_NAMES.join(', ')}, got ${options.metric}`,
        );
      }
      const questions = options.questions === undefined ? undefined : parseQuestionRange(options.questions);
      const loaded = await loadCliConfig(globals);
      const output = commandOutput(globals);
      const interrupt = interruptSignal();
      const bars = new Map<string, ProgressBar>();
      try {
        const result = await runEval(loaded, {
          dataset,
          outDir: resolve(options.out ?? 'ragloom-eval'),
          limit: positive(options.limit, '--limit'),
          questions,
          k: positive(options.k, '--k'),
          split: options.split,
          answerMetric: options.metric as AnswerMetric | undefined,
          signal: interrupt.signal,
          runtime: output.runtime,
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
          output.info('reused the eval index from an earlier run (same data, same settings)');
        for (const message of result.warnings) output.warn(message);
        const names = HEADLINE[result.kind];
        const rows = result.runs.map((run) => {
          const cells = names
            .filter((n) => run.aggregate[n] !== undefined || !n.startsWith('answer'))
            .map((n) => {
              const v = run.aggregate[n];
              return `${n} ${v === undefined || Number.isNaN(v) ? '-' : formatMeasure(n, v)}`;
            });
          return `${run.name.padEnd(24)} ${cells.join('  ')}  (${run.evaluatedQueries} ${result.kind === 'qa' ? 'questions' : 'queries'})`;
        });
        process.stdout.write(`${rows.join('\n')}\nreports: ${result.reports.join(', ')}\n`);
      } finally {
        interrupt.dispose();
      }
    });
}
