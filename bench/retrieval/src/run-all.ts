import { assetPath } from '@ragloom/test-utils';
import { loadBeirDataset } from './beir-dataset.js';
import { runBm25Speed } from './bm25-speed.js';

const quick = process.argv.includes('--quick');
const scifact = await loadBeirDataset(assetPath('data', 'scifact'));
await runBm25Speed(scifact, quick ? 1 : 5);
