import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createQdrantRetriever } from '@ragloom/retriever-qdrant';
import { describe, expect, it } from 'vitest';
import { DOCS, HYBRID_CONFIG, makeProject, runCli } from './helpers/project.js';

// Runs against a real Qdrant when QDRANT_URL is set (QDRANT_API_KEY too if it needs one), e.g.
//   QDRANT_URL=http://localhost:6333 pnpm turbo run test --filter=ragloom
const url = process.env.QDRANT_URL;

describe.skipIf(!url)('moving a local HNSW index to Qdrant (runs when QDRANT_URL is set)', () => {
  it('export from HNSW, import into a Qdrant collection, same top hit', async () => {
    const collection = `ragloom_app_${Date.now().toString(36)}`;
    const qdrant = {
      name: 'qdrant',
      use: '@ragloom/retriever-qdrant',
      options: { url, collection, ...(process.env.QDRANT_API_KEY ? { apiKeyEnv: 'QDRANT_API_KEY' } : {}) },
    };
    const dir = makeProject(DOCS, HYBRID_CONFIG);
    try {
      expect((await runCli(['ingest', 'docs'], { cwd: dir })).code).toBe(0);
      const exported = await runCli(['export', '--retriever', 'dense', '--out', 'dense.jsonl'], { cwd: dir });
      expect(exported.code, exported.stderr).toBe(0);
      const records = readFileSync(join(dir, 'dense.jsonl'), 'utf8').trimEnd().split('\n').length - 2;

      const target = makeProject({}, { ...HYBRID_CONFIG, retrievers: [qdrant] });
      const imported = await runCli(['import', join(dir, 'dense.jsonl')], { cwd: target });
      expect(imported.code, imported.stderr).toBe(0);
      expect(imported.stderr).toContain(`the qdrant index now holds ${records} records`);
      const local = JSON.parse((await runCli(['query', 'server port', '--json'], { cwd: dir })).stdout).hits;
      const remote = JSON.parse(
        (await runCli(['query', 'server port', '--json'], { cwd: target })).stdout,
      ).hits;
      const denseTop = local.find((h: { retrievers: { retriever: string; rank: number }[] }) =>
        h.retrievers.some((r) => r.retriever === 'dense' && r.rank === 1),
      );
      expect(remote[0].id).toBe(denseTop.id);
    } finally {
      await createQdrantRetriever({
        url,
        apiKey: process.env.QDRANT_API_KEY,
        collection,
        encoderModelId: 'ragloom/hashing-64',
        dimension: 64,
      })
        .dropCollection()
        .catch(() => {});
    }
  });
});
