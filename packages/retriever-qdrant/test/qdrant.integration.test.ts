import {
  CONFORMANCE_FILTERS,
  conformanceCorpus,
  describeRetrieverConformance,
  RETRIEVER_CONFORMANCE_TESTS,
  type RetrieverConformanceTest,
} from '@ragloom/conformance';
import {
  compileFilter,
  copyRecords,
  createMemoryVectorRetriever,
  type Filter,
  isRagloomError,
  type RetrieverRecord,
} from '@ragloom/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQdrantRetriever,
  loadQdrantRetriever,
  type QdrantRetriever,
  type QdrantRetrieverOptions,
} from '../src/index.js';

// Integration tests against a real Qdrant. They run when QDRANT_URL is set (QDRANT_API_KEY too if
// the server needs one) and are reported as skipped, with the reason, otherwise:
//   docker run -p 6333:6333 qdrant/qdrant:v1.18.1   (1.18.1 or newer: the tests check)
//   QDRANT_URL=http://localhost:6333 pnpm turbo run test --filter=@ragloom/retriever-qdrant
const url = process.env.QDRANT_URL;
const apiKey = process.env.QDRANT_API_KEY;
const SKIP_REASON = 'QDRANT_URL not set; start Qdrant and set QDRANT_URL to run';
const connection = { url, ...(apiKey ? { apiKey } : {}), clientOptions: { timeout: 30_000 } };
const runId = `ragloom_it_${Date.now().toString(36)}`;
const created: QdrantRetriever[] = [];

function make(name: string, options: Partial<QdrantRetrieverOptions> = {}): QdrantRetriever {
  const retriever = createQdrantRetriever({
    ...connection,
    collection: `${runId}_${name}`,
    encoderModelId: 'ragloom-conformance/encoder-v1',
    dimension: 8,
    metric: 'cosine',
    ...options,
  });
  created.push(retriever);
  return retriever;
}

/** Qdrant 1.18.0's integer index truncates fractional range bounds (fixed in 1.18.1): older servers are refused. */
export const MINIMUM_QDRANT = [1, 18, 1] as const;

beforeAll(async () => {
  if (!url) return;
  const response = await fetch(url, { headers: apiKey ? { 'api-key': apiKey } : {} });
  const { version } = (await response.json()) as { version?: string };
  const parts = String(version).split('.').map(Number);
  const newer = MINIMUM_QDRANT.findIndex((m, i) => (parts[i] ?? 0) !== m);
  const ok = newer < 0 || (parts[newer] ?? 0) > MINIMUM_QDRANT[newer]!;
  if (!ok)
    throw new Error(`Qdrant at ${url} is ${version}; these tests need ${MINIMUM_QDRANT.join('.')} or newer`);
});

afterAll(async () => {
  for (const r of created) await r.dropCollection().catch(() => {});
});

const toRecord = (r: ReturnType<typeof conformanceCorpus>[number]): RetrieverRecord => ({
  id: r.id,
  text: r.text,
  metadata: r.metadata,
  vector: r.vector,
});

describeRetrieverConformance({
  name: url ? `qdrant at ${url}` : 'qdrant',
  query: 'vector',
  timeout: 60_000,
  create: ({ manifest, id }) =>
    createQdrantRetriever({ ...connection, collection: `${runId}_${id}`, ...manifest! }),
  destroy: (retriever) => (retriever as QdrantRetriever).dropCollection(),
  reopen: async (retriever, { manifest, id }) => {
    await retriever.save?.();
    return createQdrantRetriever({
      ...connection,
      collection: `${runId}_${id}`,
      ...manifest!,
      createCollection: false,
    });
  },
  skip: url
    ? {}
    : (Object.fromEntries(RETRIEVER_CONFORMANCE_TESTS.map((name) => [name, SKIP_REASON])) as Partial<
        Record<RetrieverConformanceTest, string>
      >),
});

describe.skipIf(!url)(
  url ? `Qdrant integration at ${url}` : `Qdrant integration (skipped: ${SKIP_REASON})`,
  () => {
    const corpus = conformanceCorpus();
    const ids = (hits: { id: string }[]) => hits.map((h) => h.id).sort();
    const expectedIds = (filter: Filter) =>
      corpus
        .filter((r) => compileFilter(filter)(r.metadata))
        .map((r) => r.id)
        .sort();

    it('filters give core’s answers with payload indexes on the filtered fields', {
      timeout: 120_000,
    }, async () => {
      const retriever = make('indexed', {
        payloadIndexes: {
          category: 'keyword',
          year: 'integer',
          published: 'bool',
          rating: 'float',
          tags: 'keyword',
          author: 'keyword',
          date: 'datetime',
        },
      });
      await retriever.upsert(corpus.map(toRecord));
      const failures: string[] = [];
      for (const filter of CONFORMANCE_FILTERS) {
        const actual = ids(await retriever.search({ vector: corpus[0]!.vector, k: 100, filter }));
        if (JSON.stringify(actual) !== JSON.stringify(expectedIds(filter)))
          failures.push(JSON.stringify(filter));
      }
      expect(failures).toEqual([]);
    });

    it('collection settings reach Qdrant; a second opener with another dimension gets MANIFEST_MISMATCH', async () => {
      const retriever = make('settings', {
        collectionSettings: {
          onDiskVectors: true,
          hnsw: { m: 8, ef_construct: 64 },
          quantization: { scalar: { type: 'int8' } },
        },
      });
      await retriever.init();
      const info = await retriever.client.getCollection(retriever.collection);
      expect(info.config.params.vectors).toMatchObject({ size: 8, distance: 'Cosine', on_disk: true });
      expect(info.config.hnsw_config).toMatchObject({ m: 8, ef_construct: 64 });
      expect(info.config.quantization_config).toMatchObject({ scalar: { type: 'int8' } });
      const other = createQdrantRetriever({
        ...connection,
        collection: retriever.collection,
        encoderModelId: 'x',
        dimension: 4,
      });
      const error = await other.count().catch((e: unknown) => e);
      expect(isRagloomError(error, 'MANIFEST_MISMATCH')).toBe(true);
      const opened = await loadQdrantRetriever({ ...connection, collection: retriever.collection });
      expect(opened.manifest).toEqual(retriever.manifest);
    });

    it('a missing collection is NOT_FOUND when creation is off', async () => {
      const retriever = createQdrantRetriever({
        ...connection,
        collection: `${runId}_absent`,
        encoderModelId: 'm',
        dimension: 8,
        createCollection: false,
      });
      const error = await retriever.count().catch((e: unknown) => e);
      expect(isRagloomError(error, 'NOT_FOUND')).toBe(true);
    });

    it('metadataFields returns only the selected metadata', async () => {
      const retriever = make('selection');
      await retriever.upsert(corpus.slice(0, 5).map(toRecord));
      const hits = await retriever.search({
        vector: corpus[0]!.vector,
        k: 5,
        metadataFields: ['category', 'year'],
      });
      expect(hits).toHaveLength(5);
      for (const hit of hits) {
        expect(Object.keys(hit.metadata).sort()).toEqual(['category', 'year']);
        expect(hit.text.length).toBeGreaterThan(0);
      }
    });

    it('hybrid: sparse-only search finds exactly the records holding the word; fused search returns hits', async () => {
      const retriever = make('hybrid', { hybrid: true });
      await retriever.upsert(corpus.map(toRecord));
      for (const word of ['apple', 'violin', 'glacier']) {
        const expected = corpus
          .filter((r) => r.text.split(' ').includes(word))
          .map((r) => r.id)
          .sort();
        expect(ids(await retriever.search({ text: word, k: 100 })), word).toEqual(expected);
      }
      const zh = await retriever.search({ text: '北京', k: 100 });
      expect(ids(zh)).toEqual(
        corpus
          .filter((r) => r.text.includes('北京'))
          .map((r) => r.id)
          .sort(),
      );
      const fused = await retriever.search({
        vector: corpus[3]!.vector,
        text: 'apple',
        k: 5,
        filter: { lang: 'en' },
      });
      expect(fused).toHaveLength(5);
      for (const hit of fused) expect(hit.metadata.lang).toBe('en');
    });

    it('moves an index: memory → Qdrant with copyRecords, and back out with scan', {
      timeout: 60_000,
    }, async () => {
      const local = createMemoryVectorRetriever({
        encoderModelId: 'ragloom-conformance/encoder-v1',
        dimension: 8,
        metric: 'dot',
      });
      await local.upsert(corpus.map(toRecord));
      const remote = make('moved', { metric: 'dot' });
      const { copied } = await copyRecords(local, remote, { batchSize: 7 });
      expect(copied).toBe(corpus.length);
      const query = corpus[9]!.vector;
      const want = await local.search({ vector: query, k: 10, filter: { published: true } });
      const got = await remote.search({ vector: query, k: 10, filter: { published: true } });
      expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
      for (const [i, h] of got.entries()) expect(h.score).toBeCloseTo(want[i]!.score, 4);
      const back = createMemoryVectorRetriever({
        encoderModelId: 'ragloom-conformance/encoder-v1',
        dimension: 8,
        metric: 'dot',
      });
      await copyRecords(remote, back);
      expect(await back.count()).toBe(corpus.length);
    });

    it.skipIf(!apiKey)('a wrong API key is AUTH_ERROR (runs when QDRANT_API_KEY is set)', async () => {
      const retriever = createQdrantRetriever({
        url,
        apiKey: `${apiKey}-wrong`,
        collection: `${runId}_auth`,
        encoderModelId: 'm',
        dimension: 8,
      });
      const error = await retriever.count().catch((e: unknown) => e);
      expect(isRagloomError(error, 'AUTH_ERROR')).toBe(true);
    });
  },
);
