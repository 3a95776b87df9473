import { assetPath } from '@ragloom/test-utils';
import { loadBeirDataset } from './beir-dataset.js';
import { runPostgresFullTextQuality } from './postgres-fulltext-quality.js';

// Postgres full-text search beside BM25 on SciFact alone (run-all.ts runs it with everything else).
await runPostgresFullTextQuality(await loadBeirDataset(assetPath('data', 'scifact')));
