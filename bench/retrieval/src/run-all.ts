import { assetPath } from '@ragloom/test-utils';
import { loadBeirDataset } from './beir-dataset.js';
import { runBm25Speed } from './bm25-speed.js';
import { runCmrcQuality } from './cmrc-quality.js';
import { runHybridQuality } from './hybrid-quality.js';
import { runScifactQuality } from './scifact-quality.js';

// --quick: one speed repetition (a smoke run); the quality numbers are the same either way.
const quick = process.argv.includes('--quick');
const scifact = await loadBeirDataset(assetPath('data', 'scifact'));
await runScifactQuality(scifact);
await runCmrcQuality(await loadBeirDataset(assetPath('data', 'cmrc2018', 'beir-dev-derived')));
await runHybridQuality(scifact, assetPath('models', 'bow-bert-128'));
await runBm25Speed(scifact, quick ? 1 : 5);
