import { assetPath } from '@ragloom/test-utils';
import { judgedSubset, loadBeirDataset } from './beir-dataset.js';
import { runBm25Engines } from './bm25-engines-main.js';
import { runCmrcQuality } from './cmrc-quality.js';
import { runHybridQuality } from './hybrid-quality.js';
import { runPostgresFullTextQuality } from './postgres-fulltext-quality.js';
import { runScifactQuality } from './scifact-quality.js';

// --quick (a smoke run): one speed repetition, and the hybrid run (which embeds the corpus) on a subset.
// The BM25 engine comparison takes its own flags too (see bm25-engines-main.ts).
const quick = process.argv.includes('--quick');
const scifact = await loadBeirDataset(assetPath('data', 'scifact'));
await runScifactQuality(scifact);
await runPostgresFullTextQuality(scifact);
await runCmrcQuality(await loadBeirDataset(assetPath('data', 'cmrc2018', 'beir-dev-derived')));
const bowBert = assetPath('models', 'bow-bert-128');
if (quick) await runHybridQuality(judgedSubset(scifact, 500), bowBert, ' [--quick subset: not comparable]');
else await runHybridQuality(scifact, bowBert);
await runBm25Engines(process.argv.slice(2));
