import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pluginTestContext } from '@ragloom/conformance';
import {
  compareHits,
  isRagloomError,
  type RagloomErrorCode,
  type RetrieverRecord,
  similarity,
} from '@ragloom/core';
import { describe, expect, it } from 'vitest';
import {
  createBm25SparseEncoder,
  createCollectionRequest,
  createQdrantRetriever,
  loadQdrantRetriever,
  openQdrantRetriever,
  type QdrantRetrieverOptions,
  RAGLOOM_POINT_ID_NAMESPACE,
  ragloomPlugin,
  toPointId,
} from '../src/index.js';
import { createInMemoryQdrant } from './support/in-memory-qdrant.js';

// Unit tests of the retriever against an injected in-memory double of the Qdrant client
// (test/support/in-memory-qdrant.ts): request JSON, batching, concurrency, id mapping, collection
// lifecycle, tie handling, score conversion and hybrid queries. Not a real Qdrant.

async function expectCode(promise: Promise<unknown>, code: RagloomErrorCode, text?: string | RegExp) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isRagloomError(error, code), `expected ${code}, got ${String(error)}`).toBe(true);
  if (text) expect((error as Error).message).toMatch(text);
  return error as Error;
}

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  return undefined;
}

const base = { encoderModelId: 'test/encoder', dimension: 3 } as const;

function setup(options: Partial<QdrantRetrieverOptions> = {}, double = createInMemoryQdrant()) {
  const retriever = createQdrantRetriever({ client: double.client, collection: 'docs', ...base, ...options });
  return { qdrant: double, retriever };
}

const records = (n: number, offset = 0): RetrieverRecord[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `doc-${i + offset}`,
    text: `text ${i + offset}`,
    metadata: { n: i + offset, even: (i + offset) % 2 === 0 },
    vector: [1, (i + offset) / 10, 0.5],
  }));

describe('collection lifecycle (unit)', () => {
  it('sends nothing until first use, then creates the collection from the manifest with the settings', async () => {
    const { qdrant, retriever } = setup({
      metric: 'dot',
      collectionSettings: {
        onDiskVectors: true,
        onDiskPayload: true,
        hnsw: { m: 32, ef_construct: 200 },
        quantization: { scalar: { type: 'int8', always_ram: true } },
        shardNumber: 3,
        replicationFactor: 2,
        writeConsistencyFactor: 1,
      },
    });
    expect(qdrant.calls).toEqual([]);
    await retriever.init();
    const [create] = qdrant.callsTo('createCollection');
    expect(create!.args).toEqual({
      vectors: { size: 3, distance: 'Dot', on_disk: true },
      on_disk_payload: true,
      hnsw_config: { m: 32, ef_construct: 200 },
      quantization_config: { scalar: { type: 'int8', always_ram: true } },
      shard_number: 3,
      replication_factor: 2,
      write_consistency_factor: 1,
    });
    // The manifest goes into the collection metadata, then is read back.
    const [update] = qdrant.callsTo('updateCollection');
    expect(update!.args).toEqual({
      metadata: {
        ragloom: {
          format: 1,
          manifest: { kind: 'dense', encoderModelId: 'test/encoder', dimension: 3, metric: 'dot' },
          vectorName: null,
          pointIdNamespace: RAGLOOM_POINT_ID_NAMESPACE,
          payloadKeys: { id: 'id', text: 'text', metadata: 'metadata' },
          sparse: null,
        },
      },
    });
  });

  it('maps metrics to Qdrant distances and names vectors when asked', () => {
    const plan = (metric: 'cosine' | 'dot' | 'l2', vectorName?: string) =>
      createCollectionRequest({
        collection: 'c',
        manifest: { kind: 'dense', encoderModelId: 'm', dimension: 8, metric },
        vectorName,
        sparse: undefined,
        create: true,
        settings: {},
        payloadIndexes: {},
        url: undefined,
      });
    expect(plan('cosine').vectors).toEqual({ size: 8, distance: 'Cosine' });
    expect(plan('dot').vectors).toEqual({ size: 8, distance: 'Dot' });
    expect(plan('l2', 'emb').vectors).toEqual({ emb: { size: 8, distance: 'Euclid' } });
  });

  it('reuses a matching collection without creating or rewriting it', async () => {
    const qdrant = createInMemoryQdrant();
    await setup({}, qdrant).retriever.init();
    qdrant.reset();
    await setup({}, qdrant).retriever.init();
    expect(qdrant.callsTo('createCollection')).toEqual([]);
    expect(qdrant.callsTo('updateCollection')).toEqual([]);
  });

  it('fails with MANIFEST_MISMATCH on another dimension, distance or encoder, naming both sides', async () => {
    const qdrant = createInMemoryQdrant();
    await setup({}, qdrant).retriever.init();
    await expectCode(
      setup({ dimension: 4 }, qdrant).retriever.count(),
      'MANIFEST_MISMATCH',
      /3-dimensional.*expects 4/,
    );
    await expectCode(
      setup({ metric: 'l2' }, qdrant).retriever.count(),
      'MANIFEST_MISMATCH',
      /Cosine.*"l2" needs Euclid/,
    );
    await expectCode(
      setup({ encoderModelId: 'other/model' }, qdrant).retriever.count(),
      'MANIFEST_MISMATCH',
      /"test\/encoder".*"other\/model"/,
    );
    await expectCode(
      setup({ vectorName: 'dense' }, qdrant).retriever.count(),
      'MANIFEST_MISMATCH',
      /unnamed vector/,
    );
  });

  it('adopts an empty collection without ragloom metadata, refuses a filled one', async () => {
    const qdrant = createInMemoryQdrant();
    await qdrant.client.createCollection('plain', { vectors: { size: 3, distance: 'Cosine' } });
    const adopted = createQdrantRetriever({ client: qdrant.client, collection: 'plain', ...base });
    await adopted.init();
    expect(qdrant.callsTo('updateCollection')).toHaveLength(1);

    await qdrant.client.createCollection('foreign', { vectors: { size: 3, distance: 'Cosine' } });
    await qdrant.client.upsert('foreign', {
      points: [{ id: toPointId('x'), vector: [1, 0, 0], payload: {} }],
    });
    const foreign = createQdrantRetriever({ client: qdrant.client, collection: 'foreign', ...base });
    await expectCode(foreign.init(), 'MANIFEST_MISMATCH', /holds 1 points but no ragloom manifest/);
  });

  it('createCollection: false → NOT_FOUND; a server that drops metadata → UNSUPPORTED', async () => {
    await expectCode(
      setup({ createCollection: false }).retriever.count(),
      'NOT_FOUND',
      /"docs" does not exist/,
    );
    const old = createInMemoryQdrant({ ignoreMetadata: true });
    await expectCode(setup({}, old).retriever.init(), 'UNSUPPORTED', /collection metadata/);
  });

  it('creates payload indexes on metadata paths once', async () => {
    const qdrant = createInMemoryQdrant();
    const payloadIndexes = { category: 'keyword', year: 'integer', 'a.b': 'float' } as const;
    await setup({ payloadIndexes }, qdrant).retriever.init();
    expect(qdrant.callsTo('createPayloadIndex').map((c) => c.args)).toEqual([
      { field_name: 'metadata.category', field_schema: 'keyword', wait: true },
      { field_name: 'metadata.year', field_schema: 'integer', wait: true },
      { field_name: 'metadata."a.b"', field_schema: 'float', wait: true },
    ]);
    qdrant.reset();
    await setup({ payloadIndexes }, qdrant).retriever.init();
    expect(qdrant.callsTo('createPayloadIndex')).toEqual([]);
  });

  it('openQdrantRetriever is the deprecated name of loadQdrantRetriever', () => {
    expect(openQdrantRetriever).toBe(loadQdrantRetriever);
  });

  it('loadQdrantRetriever checks its options like the factory', async () => {
    const { qdrant } = setup();
    await expect(
      loadQdrantRetriever({ client: qdrant.client, collection: 'docs', dimension: 3 } as never),
    ).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'loadQdrantRetriever', issues: [{ path: 'dimension' }] },
    });
  });

  it('loadQdrantRetriever reads the manifest from the collection', async () => {
    const qdrant = createInMemoryQdrant();
    await setup({ metric: 'l2', dimension: 3, vectorName: 'emb' }, qdrant).retriever.init();
    const opened = await loadQdrantRetriever({ client: qdrant.client, collection: 'docs' });
    expect(opened.manifest).toEqual({
      kind: 'dense',
      encoderModelId: 'test/encoder',
      dimension: 3,
      metric: 'l2',
    });
    await expectCode(loadQdrantRetriever({ client: qdrant.client, collection: 'nope' }), 'NOT_FOUND');
    await qdrant.client.createCollection('plain', { vectors: { size: 3, distance: 'Cosine' } });
    await expectCode(
      loadQdrantRetriever({ client: qdrant.client, collection: 'plain' }),
      'MANIFEST_MISMATCH',
      /no ragloom manifest/,
    );
  });

  it('rejects bad options with INVALID_CONFIG (UNSUPPORTED for an unaddressable field) before any request', () => {
    const client = createInMemoryQdrant().client;
    const make = (o: Partial<QdrantRetrieverOptions>) => () =>
      createQdrantRetriever({ client, collection: 'c', ...base, ...o } as QdrantRetrieverOptions);
    for (const [o, code] of [
      [{ collection: '' }, 'INVALID_CONFIG'],
      [{ dimension: 0 }, 'INVALID_CONFIG'],
      [{ encoderModelId: '' }, 'INVALID_CONFIG'],
      [{ metric: 'hamming' as never }, 'INVALID_CONFIG'],
      [{ batchSize: 0 }, 'INVALID_CONFIG'],
      [{ concurrency: 1.5 }, 'INVALID_CONFIG'],
      [{ hybrid: { prefetchLimit: 0 } }, 'INVALID_CONFIG'],
      [{ hybrid: { sparseEncoder: {} as never } }, 'INVALID_CONFIG'],
      [{ collectionSettings: { shardNumber: 0 } }, 'INVALID_CONFIG'],
      [{ payloadIndexes: { year: 'int' as never } }, 'INVALID_CONFIG'],
      [{ consistency: 'most' as never }, 'INVALID_CONFIG'],
      [{ colection: 'c' } as never, 'INVALID_CONFIG'],
      [{ hybrid: true, vectorName: 'sparse' }, 'INVALID_CONFIG'],
      [{ payloadIndexes: { 'say "x"': 'keyword' } }, 'UNSUPPORTED'],
    ] as const) {
      expect(make(o), JSON.stringify(o)).toThrow(expect.objectContaining({ code }));
    }
    expect(() => createQdrantRetriever({ collection: 'c', ...base, url: 'localhost:6333' })).toThrow(
      expect.objectContaining({ code: 'INVALID_CONFIG' }),
    );
  });

  it('a bad option gets the same typed error from the factory and from the plugin (one declaration)', async () => {
    const client = createInMemoryQdrant().client;
    const fromFactory = catchError(() =>
      createQdrantRetriever({
        client,
        collection: 'c',
        ...base,
        batchSize: 0,
        hybrid: { fusion: 'max' as never },
      }),
    );
    const fromPlugin = await Promise.resolve()
      .then(() =>
        ragloomPlugin.retriever.create(
          { collection: 'c', batchSize: 0, hybrid: { fusion: 'max' as never } },
          pluginTestContext('retriever', mkdtempSync(join(tmpdir(), 'ragloom-qdrant-')), {
            denseManifest: { kind: 'dense', ...base, metric: 'cosine' },
          }),
        ),
      )
      .catch((e: unknown) => e);
    const issues = [
      { path: 'batchSize', message: 'expected an integer >= 1, got 0' },
      { path: 'hybrid.fusion', message: 'expected one of "rrf", "dbsf", got "max"' },
    ];
    // The same code, the same `details` shape and the same issues (in declaration order, which differs).
    const sorted = (error: unknown) =>
      [...(error as { details: { issues: { path: string }[] } }).details.issues].sort((a, b) =>
        a.path.localeCompare(b.path),
      );
    expect(fromFactory).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'createQdrantRetriever' },
    });
    expect(fromPlugin).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'retriever (@ragloom/retriever-qdrant)' },
    });
    expect(sorted(fromFactory)).toEqual(issues);
    expect(sorted(fromPlugin)).toEqual(issues);
  });
});

describe('ids and payload (unit)', () => {
  it('stores UUIDv5 point ids with the original id, text and metadata in the payload, and returns original ids', async () => {
    const { qdrant, retriever } = setup();
    await retriever.upsert([
      { id: '北京#0', text: '北京是中国的首都', metadata: { lang: 'zh' }, vector: [1, 0, 0] },
    ]);
    const [upsert] = qdrant.callsTo('upsert');
    expect(upsert!.args).toEqual({
      wait: true,
      points: [
        {
          id: 'db2f4cb3-276c-54a6-9bae-9b44afaa12a2',
          vector: [1, 0, 0],
          payload: { id: '北京#0', text: '北京是中国的首都', metadata: { lang: 'zh' } },
        },
      ],
    });
    const hits = await retriever.search({ vector: [1, 0, 0], k: 1 });
    expect(hits).toEqual([
      { id: '北京#0', text: '北京是中国的首都', metadata: { lang: 'zh' }, score: expect.closeTo(1, 6) },
    ]);
  });

  it('the last record wins when one call repeats an id', async () => {
    const { qdrant, retriever } = setup();
    await retriever.upsert([
      { id: 'a', text: 'first', vector: [1, 0, 0] },
      { id: 'b', text: 'b', vector: [0, 1, 0] },
      { id: 'a', text: 'second', vector: [0, 0, 1] },
    ]);
    const points = qdrant.callsTo('upsert')[0]!.args.points as { payload: { text: string } }[];
    expect(points.map((p) => p.payload.text)).toEqual(['b', 'second']);
    expect(await retriever.count()).toBe(2);
  });
});

describe('upsert batching (unit)', () => {
  it('splits into batches of batchSize with wait, and reports progress per batch', async () => {
    const { qdrant, retriever } = setup({ batchSize: 4, concurrency: 1 });
    const events: number[] = [];
    await retriever.upsert(records(10), { onProgress: (e) => events.push(e.completed) });
    const upserts = qdrant.callsTo('upsert');
    expect(upserts.map((c) => (c.args.points as unknown[]).length)).toEqual([4, 4, 2]);
    expect(upserts.every((c) => c.args.wait === true)).toBe(true);
    expect(events).toEqual([4, 8, 10]);
    expect(await retriever.count()).toBe(10);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    const qdrant = createInMemoryQdrant({ upsertDelayMs: 15 });
    const { retriever } = setup({ batchSize: 2, concurrency: 3 }, qdrant);
    await retriever.upsert(records(20));
    expect(qdrant.callsTo('upsert')).toHaveLength(10);
    expect(qdrant.maxUpsertsInFlight).toBe(3);

    const serial = createInMemoryQdrant({ upsertDelayMs: 5 });
    await setup({ batchSize: 2, concurrency: 1 }, serial).retriever.upsert(records(8));
    expect(serial.maxUpsertsInFlight).toBe(1);
  });

  it('wait: false and ordering are passed through', async () => {
    const { qdrant, retriever } = setup({ wait: false, ordering: 'strong' });
    await retriever.upsert(records(1));
    expect(qdrant.callsTo('upsert')[0]!.args).toMatchObject({ wait: false, ordering: 'strong' });
  });

  it('validates every record before sending anything', async () => {
    const { qdrant, retriever } = setup({ batchSize: 1 });
    const bad = [...records(3), { id: 'x', text: 'x', vector: [1, 2] }];
    await expectCode(retriever.upsert(bad), 'DIMENSION_MISMATCH', /dimension 2.*expects 3/);
    await expectCode(
      retriever.upsert([{ id: 'x', text: 'x', vector: [1, Number.NaN, 0] }]),
      'INVALID_ARGUMENT',
    );
    expect(qdrant.callsTo('upsert')).toEqual([]);
  });

  it('an abort stops sending batches and rejects with ABORTED', async () => {
    const qdrant = createInMemoryQdrant({ upsertDelayMs: 20 });
    const { retriever } = setup({ batchSize: 2, concurrency: 1 }, qdrant);
    await retriever.init();
    const controller = new AbortController();
    const pending = retriever.upsert(records(20), { signal: controller.signal });
    setTimeout(() => controller.abort(), 30);
    await expectCode(pending, 'ABORTED');
    await new Promise((r) => setTimeout(r, 50));
    expect(qdrant.callsTo('upsert').length).toBeLessThan(10);
  });

  it('a failing batch rejects with the mapped Qdrant error and starts no new batch', async () => {
    const qdrant = createInMemoryQdrant();
    const { retriever } = setup({ batchSize: 2, concurrency: 1 }, qdrant);
    await retriever.init();
    await qdrant.client.deleteCollection('docs'); // dropped behind the retriever's back
    const error = await expectCode(
      retriever.upsert(records(6)),
      'NOT_FOUND',
      /Qdrant upsert on collection "docs" failed \(HTTP 404\)/,
    );
    expect(error.message).toContain("Collection `docs` doesn't exist");
    expect(qdrant.callsTo('upsert')).toHaveLength(1);
  });
});

describe('search (unit)', () => {
  it('sends the query with filter, limit k+1, payload selection, threshold and search params', async () => {
    const { qdrant, retriever } = setup({ searchDefaults: { hnswEf: 64 } });
    await retriever.upsert(records(6));
    qdrant.reset();
    const hits = await retriever.search({
      vector: [1, 0.2, 0.5],
      k: 2,
      filter: { even: true },
      metadataFields: ['n'],
      scoreThreshold: 0.5,
      exact: true,
    });
    expect(qdrant.callsTo('query')[0]!.args).toEqual({
      query: [1, expect.closeTo(0.2, 6), 0.5],
      filter: { must: [{ key: 'metadata.even', match: { value: true } }] },
      params: { exact: true, hnsw_ef: 64 },
      limit: 3,
      with_payload: ['id', 'text', 'metadata.n'],
      // two f32 steps below 0.5: Qdrant's threshold is strict, ragloom's is "at least" (cut exactly after)
      score_threshold: 0.4999999403953552,
    });
    const expected = records(6)
      .filter((r) => r.metadata!.even)
      .map((r) => ({ id: r.id, score: similarity('cosine', [1, 0.2, 0.5], r.vector as number[]) }))
      .sort(compareHits);
    expect(hits.map((h) => h.id)).toEqual(expected.slice(0, 2).map((h) => h.id));
    for (const [i, h] of hits.entries()) expect(h.score).toBeCloseTo(expected[i]!.score, 5);
    expect(hits[0]!.metadata).toEqual({ n: 2 });
  });

  it('l2 scores are negative squared distances; the threshold becomes a maximum distance', async () => {
    const { qdrant, retriever } = setup({ metric: 'l2' });
    await retriever.upsert([
      { id: 'near', text: '', vector: [1, 0, 0] },
      { id: 'far', text: '', vector: [4, 0, 0] },
    ]);
    const hits = await retriever.search({ vector: [0, 0, 0], k: 5 });
    expect(hits.map((h) => [h.id, h.score])).toEqual([
      ['near', -1],
      ['far', -16],
    ]);
    qdrant.reset();
    const close = await retriever.search({ vector: [0, 0, 0], k: 5, scoreThreshold: -4 });
    // a maximum distance two f32 steps above 2 (Qdrant keeps distance < threshold), cut at -4 after
    expect(qdrant.callsTo('query')[0]!.args.score_threshold).toBe(2.000000476837158);
    expect(close.map((h) => h.id)).toEqual(['near']);
    expect(
      (await retriever.search({ vector: [0, 0, 0], k: 5, scoreThreshold: -1 })).map((h) => h.id),
    ).toEqual(['near']);
    expect(await retriever.search({ vector: [0, 0, 0], k: 5, scoreThreshold: -0.99 })).toEqual([]);
    expect(await retriever.search({ vector: [0, 0, 0], k: 5, scoreThreshold: 1 })).toEqual([]);
  });

  it('scoreThreshold is "at least", though Qdrant keeps only strictly better f32 scores', async () => {
    const l2 = setup({ metric: 'l2' });
    await l2.retriever.upsert([
      { id: 'same', text: '', vector: [1, 2, 3] },
      { id: 'other', text: '', vector: [1, 2, 4] },
    ]);
    // An identical vector scores exactly 0: a threshold of 0 keeps it (Qdrant's distance < 0 would not).
    expect(
      (await l2.retriever.search({ vector: [1, 2, 3], k: 5, scoreThreshold: 0 })).map((h) => h.id),
    ).toEqual(['same']);
    const cosine = setup();
    await cosine.retriever.upsert([
      { id: 'a', text: '', vector: [0.6, 0.8, 0] },
      { id: 'b', text: '', vector: [0.8, 0.6, 0] },
      { id: 'c', text: '', vector: [0, 0, 1] },
    ]);
    const all = await cosine.retriever.search({ vector: [0.6, 0.8, 0], k: 5 });
    const atB = all.find((h) => h.id === 'b')!.score;
    // A hit exactly at the threshold is kept, one just below it is not.
    expect(
      (await cosine.retriever.search({ vector: [0.6, 0.8, 0], k: 5, scoreThreshold: atB })).map((h) => h.id),
    ).toEqual(['a', 'b']);
    expect(
      (await cosine.retriever.search({ vector: [0.6, 0.8, 0], k: 5, scoreThreshold: atB + 1e-7 })).map(
        (h) => h.id,
      ),
    ).toEqual(['a']);
    // and a threshold f32 cannot represent (0.96 rounds up to 0.9599999785423279 + ε) still means "at least 0.96"
    const t = await cosine.retriever.search({ vector: [0.6, 0.8, 0], k: 5, scoreThreshold: 0.96 });
    expect(t.map((h) => h.id)).toEqual(all.filter((h) => h.score >= 0.96).map((h) => h.id));
  });

  it('orders ties by id, asking again with a larger limit while the tie crosses the cut', async () => {
    const { qdrant, retriever } = setup();
    const tied = Array.from({ length: 10 }, (_, i) => ({ id: `tie-${i}`, text: '', vector: [0, 1, 0] }));
    await retriever.upsert([...tied, { id: 'other', text: '', vector: [0, 0.1, 1] }]);
    // The double returns ties in point-UUID order, which is not the id order.
    qdrant.reset();
    const hits = await retriever.search({ vector: [0, 1, 0], k: 3 });
    expect(hits.map((h) => h.id)).toEqual(['tie-0', 'tie-1', 'tie-2']);
    expect(qdrant.callsTo('query').map((c) => c.args.limit)).toEqual([4, 8, 16]);
  });

  it('a filter that matches nothing sends no request', async () => {
    const { qdrant, retriever } = setup();
    await retriever.init();
    qdrant.reset();
    expect(await retriever.search({ vector: [1, 0, 0], k: 3, filter: { tag: { $in: [] } } })).toEqual([]);
    expect(await retriever.count({ $not: {} })).toBe(0);
    expect(await retriever.delete({ filter: { tag: { $in: [] } } })).toEqual({ deleted: 0 });
    expect(qdrant.calls).toEqual([]);
  });

  it('named vectors are searched with `using`', async () => {
    const { qdrant, retriever } = setup({ vectorName: 'emb' });
    await retriever.upsert(records(2));
    expect(qdrant.callsTo('upsert')[0]!.args.points).toMatchObject([{ vector: { emb: [1, 0, 0.5] } }, {}]);
    qdrant.reset();
    await retriever.search({ vector: [1, 0, 0], k: 1 });
    expect(qdrant.callsTo('query')[0]!.args.using).toBe('emb');
  });
});

describe('delete, count and scan (unit)', () => {
  it('delete by ids deletes the existing ones and reports how many', async () => {
    const { qdrant, retriever } = setup();
    await retriever.upsert(records(5));
    qdrant.reset();
    expect(await retriever.delete({ ids: ['doc-1', 'doc-3', 'doc-1', 'missing'] })).toEqual({ deleted: 2 });
    expect(qdrant.callsTo('delete')[0]!.args).toEqual({
      wait: true,
      points: [toPointId('doc-1'), toPointId('doc-3')],
    });
    expect(await retriever.delete({ ids: [] })).toEqual({ deleted: 0 });
    await expectCode(retriever.delete({ ids: [1] as never }), 'INVALID_ARGUMENT');
    await expectCode(retriever.delete({} as never), 'INVALID_ARGUMENT');
  });

  it('delete by filter counts then deletes with the translated filter', async () => {
    const { qdrant, retriever } = setup();
    await retriever.upsert(records(6));
    qdrant.reset();
    expect(await retriever.delete({ filter: { n: { $gte: 4 } } })).toEqual({ deleted: 2 });
    const filter = { must: [{ key: 'metadata.n', range: { gte: 4 } }] };
    expect(qdrant.callsTo('count')[0]!.args).toEqual({ exact: true, filter });
    expect(qdrant.callsTo('delete')[0]!.args).toEqual({ wait: true, filter });
    expect(await retriever.count()).toBe(4);
    expect(await retriever.delete({ filter: {} })).toEqual({ deleted: 4 });
    expect(await retriever.count()).toBe(0);
  });

  it('scan pages through scroll offsets and returns vectors', async () => {
    const { qdrant, retriever } = setup({ metric: 'dot' });
    await retriever.upsert(records(7));
    qdrant.reset();
    const pages: RetrieverRecord[][] = [];
    for await (const page of retriever.scan({ batchSize: 3 })) pages.push(page);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    const scrolls = qdrant.callsTo('scroll').map((c) => c.args);
    expect(scrolls[0]).toEqual({ limit: 3, with_payload: true, with_vector: true });
    expect(scrolls[1]!.offset).toEqual(expect.any(String));
    const byId = new Map(pages.flat().map((r) => [r.id, r]));
    expect([...byId.keys()].sort()).toEqual(
      records(7)
        .map((r) => r.id)
        .sort(),
    );
    expect(Array.from(byId.get('doc-4')!.vector!)).toEqual(Array.from(Float32Array.from([1, 0.4, 0.5])));
    await expectCode(
      (async () => {
        for await (const _ of retriever.scan({ batchSize: 0 })) void _;
      })(),
      'INVALID_ARGUMENT',
    );
  });
});

describe('hybrid search (unit)', () => {
  it('creates named dense + sparse(idf) vectors and writes BM25 sparse vectors on upsert', async () => {
    const { qdrant, retriever } = setup({ hybrid: true });
    await retriever.upsert([
      { id: 'a', text: 'red apple red', vector: [1, 0, 0] },
      { id: 'empty', text: '', vector: [0, 1, 0] },
    ]);
    expect(qdrant.callsTo('createCollection')[0]!.args).toEqual({
      vectors: { dense: { size: 3, distance: 'Cosine' } },
      sparse_vectors: { sparse: { modifier: 'idf' } },
    });
    const points = qdrant.callsTo('upsert')[0]!.args.points as { vector: Record<string, unknown> }[];
    const [expected] = createBm25SparseEncoder().encodeDocuments(['red apple red']) as {
      indices: number[];
    }[];
    expect(points[0]!.vector).toEqual({ dense: [1, 0, 0], sparse: expected });
    expect(expected!.indices).toHaveLength(2);
    expect(points[1]!.vector).toEqual({ dense: [0, 1, 0] }); // no terms: no sparse part
  });

  it('vector + text → dense and sparse prefetches fused by RRF; text alone → sparse search', async () => {
    const { qdrant, retriever } = setup({ hybrid: { prefetchLimit: 20 } });
    await retriever.upsert([
      { id: 'apple', text: 'apple pie recipe', metadata: { lang: 'en' }, vector: [0, 1, 0] },
      { id: 'pear', text: 'pear tart', metadata: { lang: 'en' }, vector: [1, 0, 0] },
      { id: 'zh', text: '苹果派', metadata: { lang: 'zh' }, vector: [0, 0, 1] },
    ]);
    qdrant.reset();
    const fused = await retriever.search({ vector: [1, 0, 0], text: 'apple', k: 2, filter: { lang: 'en' } });
    const filter = { must: [{ key: 'metadata.lang', match: { value: 'en' } }] };
    expect(qdrant.callsTo('query')[0]!.args).toEqual({
      prefetch: [
        { query: [1, 0, 0], using: 'dense', limit: 20, filter },
        { query: createBm25SparseEncoder().encodeQuery('apple'), using: 'sparse', limit: 20, filter },
      ],
      query: { fusion: 'rrf' },
      limit: 3,
      with_payload: true,
    });
    expect(fused.map((h) => h.id).sort()).toEqual(['apple', 'pear']);

    const lexical = await retriever.search({ text: '苹果', k: 5 });
    expect(lexical.map((h) => h.id)).toEqual(['zh']);
    expect(await retriever.search({ text: '!!!', k: 5 })).toEqual([]);
    const dense = await retriever.search({ vector: [0, 0, 1], k: 1 });
    expect(dense[0]!.id).toBe('zh');
  });

  it('fusion: dbsf is passed through', async () => {
    const { qdrant, retriever } = setup({ hybrid: { fusion: 'dbsf' } });
    await retriever.upsert([{ id: 'apple', text: 'apple', vector: [0, 1, 0] }]);
    const hits = await retriever.search({ vector: [0, 1, 0], text: 'apple', k: 1 });
    expect(hits.map((h) => h.id)).toEqual(['apple']);
    expect(qdrant.callsTo('query')[0]!.args.query).toEqual({ fusion: 'dbsf' });
  });

  it('a hybrid collection refuses dense-only upserts and a different sparse encoder', async () => {
    const qdrant = createInMemoryQdrant();
    await setup({ hybrid: true }, qdrant).retriever.init();
    await expectCode(
      setup({ vectorName: 'dense' }, qdrant).retriever.upsert(records(1)),
      'MANIFEST_MISMATCH',
      /hybrid collection/,
    );
    await expectCode(
      setup({ hybrid: { sparseEncoder: createBm25SparseEncoder({ k1: 2 }) } }, qdrant).retriever.init(),
      'MANIFEST_MISMATCH',
      /sparse encoder/,
    );
  });
});

describe('lifecycle methods (unit)', () => {
  it('save waits for writes in flight; close refuses further calls; dropCollection deletes it', async () => {
    const qdrant = createInMemoryQdrant({ upsertDelayMs: 20 });
    const { retriever } = setup({}, qdrant);
    const pending = retriever.upsert(records(3));
    await retriever.save();
    expect(await retriever.count()).toBe(3);
    await pending;
    await retriever.dropCollection();
    expect(qdrant.collections.has('docs')).toBe(false);
    await retriever.close();
    await expectCode(retriever.count(), 'INVALID_ARGUMENT', /closed/);
  });

  it('reports its contract', () => {
    const { retriever } = setup({ metric: 'dot' });
    expect(retriever.specificationVersion).toBe('v1');
    expect(retriever.provider).toBe('qdrant');
    expect(retriever.capabilities).toEqual({ query: 'vector', scan: true, persistent: true });
    expect(retriever.manifest).toEqual({
      kind: 'dense',
      encoderModelId: 'test/encoder',
      dimension: 3,
      metric: 'dot',
    });
  });
});

describe('create races and failures (unit)', () => {
  it('a collection created by someone else between check and create is verified and used', async () => {
    const qdrant = createInMemoryQdrant();
    const racing = {
      ...qdrant.client,
      collectionExists: async (name: string) => {
        const answer = await qdrant.client.collectionExists(name);
        // The other process wins the race right after our check.
        if (!answer.exists) await setup({}, qdrant).retriever.init();
        return answer;
      },
    } as typeof qdrant.client;
    const retriever = createQdrantRetriever({ client: racing, collection: 'docs', ...base });
    await retriever.upsert(records(2));
    expect(await retriever.count()).toBe(2);
    expect(qdrant.callsTo('createCollection')).toHaveLength(2); // theirs succeeded, ours got 409
  });

  it('a create that fails for another reason reports the create error', async () => {
    const qdrant = createInMemoryQdrant();
    const failing = {
      ...qdrant.client,
      createCollection: async () => {
        throw Object.assign(new Error('Forbidden'), {
          status: 403,
          data: { status: { error: 'read-only key' } },
        });
      },
    } as typeof qdrant.client;
    const retriever = createQdrantRetriever({ client: failing, collection: 'docs', ...base });
    await expectCode(
      retriever.init(),
      'AUTH_ERROR',
      /create collection on collection "docs" failed \(HTTP 403\): read-only key/,
    );
  });
});

describe('payload indexes and write options (unit)', () => {
  it('a non-ASCII index key is compared as Qdrant names it, so reopening does not send it again', async () => {
    const double = createInMemoryQdrant();
    const first = setup({ payloadIndexes: { 作者: 'keyword', 'a b': 'keyword' } }, double);
    await first.retriever.init();
    expect(double.callsTo('createPayloadIndex').map((c) => c.args.field_name)).toEqual([
      'metadata.作者',
      'metadata."a b"',
    ]);
    double.reset();
    const second = setup({ payloadIndexes: { 作者: 'keyword', 'a b': 'keyword' } }, double);
    await second.retriever.init();
    expect(double.callsTo('createPayloadIndex')).toEqual([]);
  });

  it('an integer payload index holds integers only: a fraction there is refused before anything is sent', async () => {
    const { qdrant, retriever } = setup({ payloadIndexes: { year: 'integer', rating: 'float' } });
    const error = await retriever
      .upsert([{ id: 'a', text: '', vector: [1, 0, 0], metadata: { year: 2020.5, rating: 2.5 } }])
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect((error as Error).message).toContain('year');
    expect(qdrant.callsTo('upsert')).toHaveLength(0);
    await retriever.upsert([
      { id: 'a', text: '', vector: [1, 0, 0], metadata: { year: [2020, 2021], rating: 2.5 } },
    ]);
    qdrant.reset();
    expect(await retriever.count({ year: { $gt: 2020.5 } })).toBe(1);
    expect(qdrant.callsTo('count')[0]!.args.filter).toEqual({
      must: [{ key: 'metadata.year', range: { gte: 2021 } }],
    });
  });

  it('ordering is sent with deletes as with upserts', async () => {
    const { qdrant, retriever } = setup({ ordering: 'strong' });
    await retriever.upsert(records(4));
    await retriever.delete({ ids: [records(4)[0]!.id] });
    await retriever.delete({ filter: { even: true } });
    expect(qdrant.callsTo('upsert')[0]!.args.ordering).toBe('strong');
    expect(qdrant.callsTo('delete').map((c) => c.args.ordering)).toEqual(['strong', 'strong']);
  });
});
