import { benchArgs } from '@ragloom/bench-utils';
import { assetPath } from '@ragloom/test-utils';
import { loadBeirDataset } from './beir-dataset.js';
import {
  type Bm25Engine,
  type EngineDataset,
  miniSearchEngine,
  ragloomEngine,
  winkEngine,
} from './bm25-engines.js';
import { runBm25Speed } from './bm25-speed.js';
import { findXapianPython, XAPIAN_INSTALL_HINT, xapianEngine } from './xapian-engine.js';

/**
 * The BM25 engine comparison: ragloom, Xapian (glass and in-memory, when python3-xapian is installed),
 * MiniSearch and wink-bm25-text-search on SciFact and CMRC 2018. Flags:
 *   --repetitions N   runs of every engine per data set (default 5)
 *   --passes N        query passes per run, the first reported apart (default 3)
 *   --datasets LIST   scifact,cmrc (default both)
 *   --engines LIST    ragloom,xapian,minisearch,wink (default all; ragloom is always first)
 *   --quick           one repetition, two passes
 */
export async function runBm25Engines(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = benchArgs(argv);
  const quick = args.flag('quick');
  const repetitions = args.number('repetitions', quick ? 1 : 5);
  const passes = Math.max(1, args.number('passes', quick ? 2 : 3));
  const wanted = new Set(args.string('engines', 'ragloom,xapian,minisearch,wink').split(','));
  const datasets = args.string('datasets', 'scifact,cmrc').split(',');

  const engines: Bm25Engine[] = [ragloomEngine];
  const notes: string[] = [];
  if (wanted.has('xapian')) {
    const xapian = await findXapianPython();
    if (xapian === undefined) notes.push(XAPIAN_INSTALL_HINT);
    else
      engines.push(
        xapianEngine(xapian.python, xapian.version, 'glass'),
        xapianEngine(xapian.python, xapian.version, 'inmemory'),
      );
  }
  if (wanted.has('minisearch')) engines.push(miniSearchEngine);
  if (wanted.has('wink')) engines.push(winkEngine);

  const settings = { k: 10, passes, k1: 0.9, b: 0.4 };
  for (const name of datasets) {
    const dataset: EngineDataset =
      name === 'cmrc'
        ? {
            name: 'CMRC 2018 dev (Chinese, question → paragraph)',
            language: 'cjk',
            data: await loadBeirDataset(assetPath('data', 'cmrc2018', 'beir-dev-derived')),
          }
        : {
            name: 'BEIR SciFact (test)',
            language: 'english',
            data: await loadBeirDataset(assetPath('data', 'scifact')),
          };
    await runBm25Speed(dataset, { engines, repetitions, settings, notes });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runBm25Engines();
