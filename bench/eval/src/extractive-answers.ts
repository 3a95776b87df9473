import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchArgs, printTable } from '@ragloom/bench-utils';
import type { PipelineRunResult } from '@ragloom/eval';
import { assetPath, repoRoot } from '@ragloom/test-utils';
import { configTemplate, loadConfig, parseQuestionRange, runEval } from 'ragloom';

/*
 * Extractive answers of the offline preset (BM25 + extractive, `ragloom init --preset offline`), measured
 * with `ragloom eval` against the targets of issue 21:
 *   SQuAD 2.0 dev-half: gold answer in the answer ≥ 80%, mean answer ≤ 40 words, ≥ 10% of unanswerable
 *   questions declined while ≤ 5% of answerable ones are; CMRC 2018 dev: gold in the answer ≥ 80% at ≤ 80
 *   characters.
 * Splits — the answer selection was calibrated only on the `tune` split, and is reported on `report`:
 *   --split report (default): SQuAD 2.0 questions 1–4000, CMRC 2018 dev (all 3219)
 *   --split tune:             SQuAD 2.0 questions 4001–6078, CMRC 2018 trial (1002)
 * --squad <range> / --cmrc <range> override the question ranges (e.g. --squad 1-500 for a quick run);
 * reports go to bench/.data/extractive-answers/<split>/.
 */

const args = benchArgs();
const split = args.string('split', 'report');
if (split !== 'report' && split !== 'tune') throw new Error(`--split must be report or tune, got ${split}`);
const squadRange = parseQuestionRange(args.string('squad', split === 'report' ? '1-4000' : '4001-'));
const cmrcRange = parseQuestionRange(args.string('cmrc', '1-'));
const cmrcFile = split === 'report' ? 'cmrc2018_dev.squad.json' : 'cmrc2018_trial.squad.json';
const outDir = join(repoRoot(), 'bench', '.data', 'extractive-answers', split);

const percent = (v: number | undefined) => (v === undefined ? '–' : `${(100 * v).toFixed(1)}%`);
const range = (r: { from: number; to?: number }) => `${r.from}–${r.to ?? 'end'}`;

async function main() {
  const project = await mkdtemp(join(tmpdir(), 'ragloom-bench-answers-'));
  try {
    await writeFile(join(project, 'ragloom.config.json'), configTemplate('offline'));
    const loaded = await loadConfig({ cwd: project });
    const run = async (dataset: string, questions: { from: number; to?: number }, name: string) => {
      const started = Date.now();
      const result = await runEval(loaded, {
        dataset,
        outDir: join(outDir, name),
        questions,
        onProgress: (step, done, total) => {
          if (done === total) process.stderr.write(`  ${name} ${step}: ${done}/${total}\n`);
        },
      });
      process.stderr.write(`  ${name}: ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      return result.runs[0] as PipelineRunResult;
    };
    const squad = await run(
      assetPath('data', 'squad2-dev-half', 'dev-v2.0-cs224n-dev.json'),
      squadRange,
      'squad2',
    );
    const cmrc = await run(assetPath('data', 'cmrc2018', cmrcFile), cmrcRange, 'cmrc2018');
    const a = squad.aggregate;
    const c = cmrc.aggregate;
    const met = (ok: boolean) => (ok ? 'yes' : 'NO');
    printTable(
      `Extractive answers, offline preset (split ${split}; SQuAD 2.0 dev-half questions ${range(squadRange)}, ` +
        `CMRC 2018 ${split === 'report' ? 'dev' : 'trial'} questions ${range(cmrcRange)})`,
      ['data set', 'measure', 'value', 'target', 'met'],
      [
        [
          'SQuAD 2.0',
          'gold answer in the answer (answerable)',
          percent(a.answerHasGold),
          '≥ 80%',
          met((a.answerHasGold ?? 0) >= 0.8),
        ],
        [
          'SQuAD 2.0',
          'mean answer length (answers given)',
          `${(a.answerWords ?? Number.NaN).toFixed(1)} words`,
          '≤ 40 words',
          met((a.answerWords ?? Infinity) <= 40),
        ],
        [
          'SQuAD 2.0',
          'unanswerable questions declined',
          percent(a['noAns.declined']),
          '≥ 10%',
          met((a['noAns.declined'] ?? 0) >= 0.1),
        ],
        [
          'SQuAD 2.0',
          'answerable questions declined',
          percent(a['hasAns.declined']),
          '≤ 5%',
          met((a['hasAns.declined'] ?? 1) <= 0.05),
        ],
        ['SQuAD 2.0', 'official exact / f1', `${percent(a.exact)} / ${percent(a.f1)}`, '', ''],
        [
          'CMRC 2018',
          'gold answer in the answer',
          percent(c.answerHasGold),
          '≥ 80%',
          met((c.answerHasGold ?? 0) >= 0.8),
        ],
        [
          'CMRC 2018',
          'mean answer length (answers given)',
          `${(c.answerCharacters ?? Number.NaN).toFixed(1)} characters`,
          '≤ 80',
          met((c.answerCharacters ?? Infinity) <= 80),
        ],
        ['CMRC 2018', 'questions declined', percent(c.declined), '', ''],
        ['CMRC 2018', 'official EM / F1', `${percent(c.exact)} / ${percent(c.f1)}`, '', ''],
      ],
    );
    console.log(
      `\nquestions: SQuAD ${squad.evaluatedQueries}, CMRC ${cmrc.evaluatedQueries}; reports in ${outDir}`,
    );
  } finally {
    await rm(project, { recursive: true, force: true });
  }
}

await main();
