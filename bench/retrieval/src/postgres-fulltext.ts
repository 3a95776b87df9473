import { assetPath } from '@ragloom/test-utils';
import { loadBeirDataset } from './beir-dataset.js';
import { runPostgresFullTextQuality } from './postgres-fulltext-quality.js';

// `node dist/postgres-fulltext.js`: the Postgres full-text comparison alone (it is also part of run-all).
await runPostgresFullTextQuality(await loadBeirDataset(assetPath('data', 'scifact')));
