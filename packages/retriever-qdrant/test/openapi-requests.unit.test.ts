import { CONFORMANCE_FILTERS, conformanceCorpus, describeRetrieverConformance } from '@ragloom/conformance';
import { describe, expect, it } from 'vitest';
import { createQdrantRetriever, type QdrantRetrieverOptions } from '../src/index.js';
import { createInMemoryQdrant } from './support/in-memory-qdrant.js';
import { createRequestValidator } from './support/openapi-requests.js';

// Every request this package sends, checked against Qdrant's own REST schema (openapi-v1.18.x.json)
// with objects closed to unknown fields: the query parameters and the JSON body of each call, for every
// operation and the option combinations below (and the whole conformance suite).
const validator = createRequestValidator();
const corpus = conformanceCorpus().map((r) => ({
  id: r.id,
  text: r.text,
  metadata: r.metadata,
  vector: r.vector,
}));
const base = { encoderModelId: 'test/enc', dimension: 8 } as const;

function expectValid(calls: Parameters<typeof validator.problems>[0]) {
  const problems = validator.problems(calls);
  expect(problems.map((p) => `${p.call}\n  ${p.errors.join('\n  ')}`).join('\n')).toBe('');
}

const conformanceDouble = createInMemoryQdrant();
describeRetrieverConformance({
  name: 'qdrant requests against the OpenAPI schema (unit)',
  query: 'vector',
  create: ({ manifest, id }) =>
    createQdrantRetriever({ client: conformanceDouble.client, collection: id, ...manifest! }),
  destroy: async (retriever) => {
    await (retriever as ReturnType<typeof createQdrantRetriever>).dropCollection();
  },
  reopen: async (retriever, { manifest, id }) => {
    await retriever.save?.();
    return createQdrantRetriever({
      client: conformanceDouble.client,
      collection: id,
      ...manifest!,
      createCollection: false,
    });
  },
  additionalTests: () => {
    it('every request the conformance suite made is valid for Qdrant 1.18', () => {
      expect(new Set(conformanceDouble.calls.map((c) => c.method)).size).toBeGreaterThanOrEqual(10);
      expectValid(conformanceDouble.calls);
    });
  },
});

async function exercise(options: Partial<QdrantRetrieverOptions>) {
  const double = createInMemoryQdrant();
  const retriever = createQdrantRetriever({ client: double.client, collection: 'docs', ...base, ...options });
  await retriever.upsert(corpus);
  for (const filter of CONFORMANCE_FILTERS) {
    await retriever.search({ vector: corpus[0]!.vector, k: 5, filter });
    await retriever.count(filter);
  }
  await retriever.search({
    vector: corpus[1]!.vector,
    k: 3,
    scoreThreshold: 0.1,
    metadataFields: ['category'],
    exact: true,
  });
  await retriever.search({
    vector: corpus[1]!.vector,
    k: 3,
    hnswEf: 32,
    filter: { date: { $gte: '2020-06-01T12:00:00+02' } },
  });
  if (options.hybrid) {
    await retriever.search({ vector: corpus[2]!.vector, text: 'apple river', k: 4, scoreThreshold: 0.01 });
    await retriever.search({ text: 'violin', k: 4, filter: { lang: 'en' } });
  }
  for await (const _ of retriever.scan({ batchSize: 7 })) {
    // pages through scroll
  }
  await retriever.delete({ ids: ['doc-01', 'doc-02', 'missing'] });
  await retriever.delete({ filter: { category: 'news' } });
  await retriever.dropCollection();
  return double;
}

describe('request bodies and query parameters against the OpenAPI schema (unit)', () => {
  it.each([
    ['defaults', {}],
    [
      'every collection setting',
      {
        collectionSettings: {
          onDiskVectors: true,
          onDiskPayload: true,
          hnsw: { m: 8, ef_construct: 64, full_scan_threshold: 1000, on_disk: false },
          quantization: { scalar: { type: 'int8', quantile: 0.99, always_ram: true } },
          shardNumber: 2,
          replicationFactor: 2,
          writeConsistencyFactor: 1,
          optimizers: { indexing_threshold: 10_000 },
        },
      },
    ],
    [
      'payload indexes of every type',
      {
        payloadIndexes: {
          category: 'keyword',
          year: 'integer',
          rating: 'float',
          published: 'bool',
          date: 'datetime',
          作者: 'keyword',
          'a b': { type: 'keyword', is_tenant: true },
        },
      },
    ],
    [
      'write and read options',
      { wait: false, ordering: 'strong', consistency: 'majority', batchSize: 7, concurrency: 3 },
    ],
    ['a named vector, l2', { vectorName: 'dense', metric: 'l2' }],
    ['hybrid (RRF)', { hybrid: true }],
    [
      'hybrid (DBSF), custom names and prefetch',
      { hybrid: { fusion: 'dbsf', sparseVectorName: 'words', prefetchLimit: 20 }, vectorName: 'embedding' },
    ],
    ['search defaults', { searchDefaults: { exact: false, hnswEf: 128, scoreThreshold: -1 }, metric: 'dot' }],
  ] as [string, Partial<QdrantRetrieverOptions>][])('%s', async (_, options) => {
    const double = await exercise(options);
    expectValid(double.calls);
  });

  it('covers every operation the adapter uses', async () => {
    const double = await exercise({ payloadIndexes: { year: 'integer' }, hybrid: true });
    expect([...new Set(double.calls.map((c) => c.method))].sort()).toEqual(validator.operations().sort());
  });

  it('deliberately broken requests fail the validator', () => {
    const broken: [string, Record<string, unknown>][] = [
      ['upsert', { wait: true, points: [{ id: 1, vector: [1, 2] }], pointz: [] }], // unknown body field
      ['upsert', { points: [{ id: 1, vector: [1, 2], payloadd: {} }] }], // unknown field in a point
      ['upsert', { ordering: 'sideways', points: [] }], // bad query parameter
      ['query', { query: [1, 2], limit: 'ten' }], // wrong type
      ['query', { query: [1, 2], filter: { must: [{ key: 'metadata.a', match: { valu: 1 } }] } }], // misspelt match
      ['count', { exact: true, filter: { must_nt: [] } }], // misspelt clause
      ['createCollection', { vectors: { size: '8', distance: 'Cosine' } }],
      ['createCollection', { vectors: { size: 8, distance: 'Chebyshev' } }], // Cosine, Euclid, Dot, Manhattan only
      ['createPayloadIndex', { field_name: 'metadata.a', field_schema: 'keywords' }],
      ['delete', { wait: true, ids: ['a'] }], // the selector is `points`, not `ids`
      ['scroll', { limit: 10, with_vectors: true }],
      ['getCollection', { unexpected: 1 }], // an operation without a body
    ];
    for (const [method, args] of broken) {
      expect(
        validator.check({ method, collection: 'docs', args }),
        `${method} ${JSON.stringify(args)}`,
      ).not.toEqual([]);
    }
    // and their repaired twins pass
    expect(
      validator.check({
        method: 'upsert',
        collection: 'docs',
        args: { wait: true, points: [{ id: 1, vector: [1, 2] }] },
      }),
    ).toEqual([]);
    expect(
      validator.check({ method: 'delete', collection: 'docs', args: { wait: true, points: ['a'] } }),
    ).toEqual([]);
  });
});
