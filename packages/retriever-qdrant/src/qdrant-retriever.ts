import { QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import {
  assertPositiveInteger,
  compareHits,
  type DeleteSelector,
  type DenseIndexManifest,
  type Filter,
  type Metric,
  mapWithConcurrency,
  RagloomError,
  type RetrieverRecord,
  type SearchHit,
  throwIfAborted,
  validateSearchRequest,
} from '@ragloom/core';
import {
  type ConnectedRetriever,
  checkUpsert,
  createConnectionLifecycle,
  parseOptions,
  raceAbort,
} from '@ragloom/core/adapter';
import type { QdrantClientLike } from './qdrant-client-like.js';
import {
  type CollectionPlan,
  ensureCollection,
  type RagloomCollectionMetadata,
  readRagloomMetadata,
} from './qdrant-collection.js';
import { mapQdrantError } from './qdrant-error.js';
import { metadataFieldPath, type QdrantFilter, translateFilter } from './qdrant-filter.js';
import { fromPayload, PAYLOAD_KEYS, toPayload } from './qdrant-payload.js';
import { toPointId } from './qdrant-point-id.js';
import {
  type LoadQdrantRetrieverOptions,
  loadQdrantRetrieverOptions,
  type ParsedQdrantRetrieverOptions,
  type QdrantConnectionOptions,
  type QdrantRetrieverOptions,
  type QdrantSearchRequest,
  type QdrantUpsertOptions,
  qdrantRetrieverOptions,
} from './qdrant-retriever-options.js';
import { createBm25SparseEncoder, type SparseEncoder, type SparseVector } from './sparse-encoder.js';

/** A ragloom Retriever on a Qdrant collection, with Qdrant's extras. */
export interface QdrantRetriever extends ConnectedRetriever<QdrantSearchRequest, QdrantUpsertOptions> {
  readonly manifest: DenseIndexManifest;
  readonly collection: string;
  readonly client: QdrantClientLike;
  /** Deletes the whole Qdrant collection (data and manifest). */
  dropCollection(): Promise<void>;
}

const DEFAULT_URL = 'http://localhost:6333';

function connect(options: QdrantConnectionOptions): { client: QdrantClientLike; url: string | undefined } {
  if (options.client) return { client: options.client, url: options.url };
  const url = options.url ?? DEFAULT_URL;
  try {
    const client = new QdrantClient({
      checkCompatibility: false,
      ...options.clientOptions,
      url,
      ...(options.apiKey !== undefined ? { apiKey: options.apiKey } : {}),
    });
    return { client, url };
  } catch (error) {
    throw mapQdrantError(error, { operation: 'connect', url });
  }
}

/** Qdrant's Euclid score is the distance; ragloom's l2 score is the negative squared distance. */
function toRagloomScore(metric: Metric, hybrid: boolean, score: number): number {
  return metric === 'l2' && !hybrid ? -(score * score) : score;
}

/** The float32 next to `x` towards +∞ (up) or −∞ (down); Qdrant scores and thresholds are f32. */
function nextFloat32(x: number, direction: 1 | -1): number {
  const f = Math.fround(x);
  if (f !== x) return direction === 1 ? (f > x ? f : stepFloat32(f, 1)) : f < x ? f : stepFloat32(f, -1);
  return stepFloat32(f, direction);
}

function stepFloat32(f: number, direction: 1 | -1): number {
  if (f === 0) return direction * 1.401298464324817e-45; // the smallest subnormal
  const bits = new Float32Array([f]);
  const view = new Int32Array(bits.buffer);
  view[0]! += f > 0 === (direction === 1) ? 1 : -1;
  return bits[0]!;
}

/**
 * ragloom's `scoreThreshold` means "score at least t" (ragloom units). Qdrant's score_threshold is an
 * f32, strict for plain queries (keeps score > t for Cosine, Dot and sparse queries, distance < t for
 * Euclid) and inclusive for fused ones (score >= t). So the threshold sent is two f32 steps on the
 * generous side — every hit scoring at least t passes it, whichever rule applies — and the hits are then
 * cut at exactly t in ragloom units (`score >= minScore`). Only hits at the boundary are dropped there,
 * and they rank last, so no better hit is ever lost to the limit.
 */
function toQdrantThreshold(metric: Metric, otherScores: boolean, minScore: number): number | 'nothing' {
  if (metric !== 'l2' || otherScores) return nextFloat32(nextFloat32(minScore, -1), -1);
  if (minScore > 0) return 'nothing'; // −d² is never positive
  return nextFloat32(nextFloat32(Math.sqrt(-minScore), 1), 1); // a maximum distance
}

function assertIntegerFields(records: readonly RetrieverRecord[], integerFields: ReadonlySet<string>): void {
  if (integerFields.size === 0) return;
  records.forEach((record, i) => {
    for (const field of integerFields) {
      const value = record.metadata?.[field];
      const values = Array.isArray(value) ? value : [value];
      const bad = values.find((v) => typeof v === 'number' && !Number.isSafeInteger(v));
      if (bad !== undefined) {
        throw new RagloomError(
          'INVALID_ARGUMENT',
          `records[${i}].metadata.${field} is ${bad}, but "${field}" has an integer payload index, which holds integers only (declare it "float" for fractions)`,
          { details: { id: record.id, field, value: bad } },
        );
      }
    }
  });
}

/**
 * Creates a Retriever on a Qdrant collection. Nothing is sent until the first call (or `init()`):
 * then the collection is created from the manifest if missing, or its vector config and stored
 * ragloom manifest are checked (MANIFEST_MISMATCH on any difference).
 *
 * ```ts
 * const retriever = createQdrantRetriever({
 *   url: 'http://localhost:6333', collection: 'docs',
 *   encoderModelId: encoder.modelId, dimension: encoder.dimension, metric: 'cosine',
 * });
 * ```
 */
export function createQdrantRetriever(input: QdrantRetrieverOptions): QdrantRetriever {
  const options = parseOptions(qdrantRetrieverOptions, input, { component: 'createQdrantRetriever' });
  const { collection, encoderModelId, dimension, batchSize, concurrency } = options;
  const metric = options.metric ?? 'cosine';
  const hybridOptions: Partial<ParsedQdrantRetrieverOptions['hybrid'] & object> | undefined =
    options.hybrid === true ? {} : options.hybrid;
  const sparseEncoder: SparseEncoder | undefined = hybridOptions
    ? (hybridOptions.sparseEncoder ?? createBm25SparseEncoder())
    : undefined;
  const sparseName = hybridOptions?.sparseVectorName ?? 'sparse';
  const prefetchLimit = hybridOptions?.prefetchLimit ?? 50;
  const fusion = hybridOptions?.fusion ?? 'rrf';
  const vectorName = options.vectorName ?? (hybridOptions ? 'dense' : undefined);
  for (const field of Object.keys(options.payloadIndexes ?? {})) metadataFieldPath(field);

  const manifest: DenseIndexManifest = { kind: 'dense', encoderModelId, dimension, metric };
  const { client, url } = connect(options);
  const { wait } = options;
  const ordering = options.ordering ? { ordering: options.ordering } : {};
  // Fields with an integer payload index hold integers only: Qdrant's integer index ignores other values,
  // so a fraction stored there would be missed by every condition the index answers.
  const integerFields = new Set(
    Object.entries(options.payloadIndexes ?? {})
      .filter(([, schema]) => (typeof schema === 'string' ? schema : schema.type) === 'integer')
      .map(([field]) => field),
  );
  const filterOptions = { integerFields };
  const plan: CollectionPlan = {
    collection,
    manifest,
    vectorName,
    sparse: sparseEncoder
      ? { name: sparseName, encoderId: sparseEncoder.id, modifier: sparseEncoder.modifier }
      : undefined,
    create: options.createCollection,
    settings: options.collectionSettings ?? {},
    payloadIndexes: options.payloadIndexes ?? {},
    url,
  };

  const lifecycle = createConnectionLifecycle<RagloomCollectionMetadata>(
    `the Qdrant retriever for "${collection}"`,
    () => ensureCollection(client, plan),
  );
  const init = lifecycle.ready;

  const call = async <T>(operation: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> => {
    try {
      return await raceAbort(fn(), signal, `Qdrant ${operation}`);
    } catch (error) {
      throw mapQdrantError(error, { operation, collection, url });
    }
  };

  const denseVector = (vector: Float32Array): number[] => Array.from(vector);

  const pointVector = (dense: Float32Array, sparse: SparseVector | undefined): Schemas['VectorStruct'] => {
    if (vectorName === undefined) return denseVector(dense);
    const named: Record<string, Schemas['Vector']> = { [vectorName]: denseVector(dense) };
    // An empty sparse vector (text without terms) is left out: the point just has no sparse part.
    if (sparse && sparse.indices.length > 0)
      named[sparseName] = { indices: sparse.indices, values: sparse.values };
    return named;
  };

  async function upsertImpl(
    records: readonly RetrieverRecord[],
    opts: QdrantUpsertOptions = {},
  ): Promise<void> {
    const signal = opts.signal;
    // Validate everything before the first request: a rejected batch stores nothing.
    const { vectors } = checkUpsert(records, manifest, signal);
    assertIntegerFields(records, integerFields);
    // Upsert replaces by id; within one call the last record for an id wins, as in a Map.
    const latest = new Map<string, number>();
    records.forEach((record, i) => {
      latest.set(record.id, i);
    });
    const order = [...latest.values()].sort((a, b) => a - b);
    const stored = await init();
    if (stored.sparse && !sparseEncoder) {
      throw new RagloomError(
        'MANIFEST_MISMATCH',
        `Qdrant collection "${collection}" is a hybrid collection (sparse vector "${stored.sparse.name}", encoder ${stored.sparse.encoder}); pass the hybrid option so upserts write sparse vectors too`,
        { details: { collection, sparse: stored.sparse } },
      );
    }
    const batches: number[][] = [];
    for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
    const onProgress = opts.onProgress ?? options.onProgress;
    let completed = 0;
    await mapWithConcurrency(batches, concurrency, async (batch) => {
      throwIfAborted(signal, 'upsert');
      const sparse = sparseEncoder
        ? await sparseEncoder.encodeDocuments(batch.map((i) => records[i]!.text))
        : undefined;
      const points: Schemas['PointStruct'][] = batch.map((i, j) => ({
        id: toPointId(records[i]!.id),
        vector: pointVector(vectors![i]!, sparse?.[j]),
        payload: toPayload(records[i]!),
      }));
      await call(
        'upsert',
        () =>
          client.upsert(collection, {
            wait,
            ...ordering,
            points,
          }),
        signal,
      );
      completed += batch.length;
      onProgress?.({ phase: 'upsert', completed, total: order.length });
    });
  }

  async function countImpl(filter?: Filter): Promise<number> {
    const translation = translateFilter(filter, filterOptions);
    if (translation.kind === 'none') return 0;
    await init();
    const { count } = await call('count', () =>
      client.count(collection, {
        exact: true,
        ...(translation.kind === 'filter' ? { filter: translation.filter } : {}),
      }),
    );
    return count;
  }

  async function deleteImpl(selector: DeleteSelector): Promise<{ deleted: number }> {
    if (typeof selector !== 'object' || selector === null) {
      throw new RagloomError('INVALID_ARGUMENT', 'delete expects { ids: [...] } or { filter: {...} }');
    }
    if ('ids' in selector) {
      if (!Array.isArray(selector.ids) || !selector.ids.every((id) => typeof id === 'string')) {
        throw new RagloomError('INVALID_ARGUMENT', 'delete({ ids }) expects an array of string ids');
      }
      const pointIds = [...new Set(selector.ids)].map(toPointId);
      if (pointIds.length === 0) return { deleted: 0 };
      await init();
      // Qdrant's delete reports no count: look up which ids exist, then delete exactly those.
      let deleted = 0;
      for (let i = 0; i < pointIds.length; i += 1000) {
        const chunk = pointIds.slice(i, i + 1000);
        const existing = await call('retrieve', () =>
          client.retrieve(collection, {
            ids: chunk,
            with_payload: false,
            with_vector: false,
            ...(options.consistency !== undefined ? { consistency: options.consistency } : {}),
          }),
        );
        if (existing.length === 0) continue;
        await call('delete', () =>
          client.delete(collection, { wait, ...ordering, points: existing.map((p) => p.id) }),
        );
        deleted += existing.length;
      }
      return { deleted };
    }
    if (!('filter' in selector)) {
      throw new RagloomError('INVALID_ARGUMENT', 'delete expects { ids: [...] } or { filter: {...} }');
    }
    const translation = translateFilter(selector.filter, filterOptions);
    if (translation.kind === 'none') return { deleted: 0 };
    await init();
    const filter: QdrantFilter = translation.kind === 'filter' ? translation.filter : {};
    // The number reported is the exact count of matching points just before the delete (Qdrant's
    // delete returns no count); a concurrent writer can make the two differ.
    const { count } = await call('count', () => client.count(collection, { exact: true, filter }));
    if (count === 0) return { deleted: 0 };
    await call('delete', () => client.delete(collection, { wait, ...ordering, filter }));
    return { deleted: count };
  }

  async function searchImpl(request: QdrantSearchRequest): Promise<SearchHit[]> {
    if (typeof request !== 'object' || request === null) {
      throw new RagloomError('INVALID_ARGUMENT', 'search request must be an object');
    }
    throwIfAborted(request.signal, 'search');
    const text = typeof request.text === 'string' ? request.text : undefined;
    const sparseOnly = request.vector === undefined && sparseEncoder !== undefined && text !== undefined;
    let query: Float32Array | undefined;
    if (sparseOnly) assertPositiveInteger(request.k, 'k');
    else query = validateSearchRequest(request, manifest);
    const translation = translateFilter(request.filter, filterOptions);
    if (translation.kind === 'none') return [];
    const filter = translation.kind === 'filter' ? translation.filter : undefined;
    const useSparse = sparseEncoder !== undefined && text !== undefined;
    const sparseQuery = useSparse ? await sparseEncoder.encodeQuery(text) : undefined;
    const sparseUsable = sparseQuery !== undefined && sparseQuery.indices.length > 0;
    if (sparseOnly && !sparseUsable) return []; // no terms: nothing can match lexically
    const fused = query !== undefined && sparseUsable;
    const scoreKind = fused || sparseOnly; // scores are not the dense metric's

    const defaults = options.searchDefaults ?? {};
    const minScore = request.scoreThreshold ?? defaults.scoreThreshold;
    const threshold = minScore === undefined ? undefined : toQdrantThreshold(metric, scoreKind, minScore);
    if (threshold === 'nothing') return [];
    const exact = request.exact ?? defaults.exact;
    const hnswEf = request.hnswEf ?? defaults.hnswEf;
    const params: Schemas['SearchParams'] | undefined =
      exact !== undefined || hnswEf !== undefined
        ? { ...(exact !== undefined ? { exact } : {}), ...(hnswEf !== undefined ? { hnsw_ef: hnswEf } : {}) }
        : undefined;
    const withPayload: Schemas['WithPayloadInterface'] = request.metadataFields
      ? [
          PAYLOAD_KEYS.id,
          PAYLOAD_KEYS.text,
          ...request.metadataFields.map((f) => metadataFieldPath(f, PAYLOAD_KEYS.metadata)),
        ]
      : true;
    await init();

    const build = (limit: number): Schemas['QueryRequest'] => {
      const common = {
        limit,
        with_payload: withPayload,
        ...(threshold !== undefined ? { score_threshold: threshold } : {}),
      };
      if (fused) {
        const candidates = Math.max(prefetchLimit, limit);
        return {
          prefetch: [
            {
              query: denseVector(query!),
              using: vectorName!,
              limit: candidates,
              ...(filter ? { filter } : {}),
              ...(params ? { params } : {}),
            },
            { query: sparseQuery!, using: sparseName, limit: candidates, ...(filter ? { filter } : {}) },
          ],
          query: { fusion },
          ...common,
        };
      }
      if (sparseOnly) {
        return { query: sparseQuery!, using: sparseName, ...(filter ? { filter } : {}), ...common };
      }
      return {
        query: denseVector(query!),
        ...(vectorName !== undefined ? { using: vectorName } : {}),
        ...(filter ? { filter } : {}),
        ...(params ? { params } : {}),
        ...common,
      };
    };

    // The contract orders equal scores by id, but Qdrant breaks ties by its own point order. Ask
    // for one more than k: when that extra hit ties with the k-th, the tie crosses the cut, so ask
    // again with a larger limit until the tie group is complete, then sort and cut.
    const k = request.k;
    let limit = k + 1;
    for (;;) {
      const { points } = await call(
        'search',
        () =>
          client.query(collection, {
            ...build(limit),
            ...(options.consistency !== undefined ? { consistency: options.consistency } : {}),
          }),
        request.signal,
      );
      const complete = points.length < limit || points[k - 1]!.score !== points[points.length - 1]!.score;
      if (complete) {
        const hits = points
          .map((point) => ({
            ...fromPayload(point.id, point.payload),
            score: toRagloomScore(metric, scoreKind, point.score),
          }))
          .filter((hit) => minScore === undefined || hit.score >= minScore);
        hits.sort(compareHits);
        return hits.slice(0, k);
      }
      limit *= 2;
    }
  }

  async function* scanImpl(
    opts: { batchSize?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<RetrieverRecord[]> {
    const size = opts.batchSize ?? 1000;
    if (opts.batchSize !== undefined) assertPositiveInteger(opts.batchSize, 'batchSize');
    throwIfAborted(opts.signal, 'scan');
    await init();
    let offset: Schemas['ExtendedPointId'] | undefined;
    for (;;) {
      throwIfAborted(opts.signal, 'scan');
      const page: Schemas['ScrollResult'] = await call(
        'scan',
        () =>
          client.scroll(collection, {
            limit: size,
            with_payload: true,
            with_vector: vectorName === undefined ? true : [vectorName],
            ...(offset !== undefined ? { offset } : {}),
            ...(options.consistency !== undefined ? { consistency: options.consistency } : {}),
          }),
        opts.signal,
      );
      const records = page.points.map((point): RetrieverRecord => {
        const raw =
          vectorName === undefined
            ? point.vector
            : (point.vector as Record<string, unknown> | null)?.[vectorName];
        if (!Array.isArray(raw) || raw.length !== dimension || typeof raw[0] !== 'number') {
          throw new RagloomError(
            'INDEX_CORRUPT',
            `Qdrant point ${String(point.id)} in "${collection}" has no ${dimension}-dimensional dense vector${vectorName ? ` "${vectorName}"` : ''}`,
            { details: { collection, pointId: point.id } },
          );
        }
        return { ...fromPayload(point.id, point.payload), vector: Float32Array.from(raw as number[]) };
      });
      if (records.length > 0) yield records;
      const next = page.next_page_offset;
      if (next === undefined || next === null || typeof next === 'object') return;
      offset = next;
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'qdrant',
    manifest,
    capabilities: { query: 'vector', scan: true, persistent: true },
    collection,
    client,
    async init() {
      await init();
    },
    upsert: (records, opts) => lifecycle.track(upsertImpl(records, opts)),
    delete: (selector) => lifecycle.track(deleteImpl(selector)),
    search: searchImpl,
    count: countImpl,
    scan: scanImpl,
    save: lifecycle.settle,
    close: () => lifecycle.close(),
    async dropCollection() {
      await lifecycle.settle();
      lifecycle.forget();
      await call('delete collection', () => client.deleteCollection(collection));
    },
  };
}

/**
 * Loads an existing ragloom collection, reading its manifest (encoder, dimension, metric, vector
 * name) from the collection metadata: the path `ragloom export` takes from a Qdrant index.
 * NOT_FOUND when the collection does not exist, MANIFEST_MISMATCH when it has no ragloom manifest.
 */
export async function loadQdrantRetriever(input: LoadQdrantRetrieverOptions): Promise<QdrantRetriever> {
  const options = parseOptions(loadQdrantRetrieverOptions, input, { component: 'loadQdrantRetriever' });
  const { client, url } = connect(options);
  const { collection } = options;
  const where = { operation: 'load collection', collection, url };
  let info: Schemas['CollectionInfo'];
  try {
    const { exists } = await client.collectionExists(collection);
    if (!exists) {
      throw new RagloomError('NOT_FOUND', `Qdrant collection "${collection}" does not exist`, {
        details: { collection },
      });
    }
    info = await client.getCollection(collection);
  } catch (error) {
    throw mapQdrantError(error, where);
  }
  const stored = readRagloomMetadata(info, collection);
  if (stored === undefined) {
    throw new RagloomError(
      'MANIFEST_MISMATCH',
      `Qdrant collection "${collection}" has no ragloom manifest; open it with createQdrantRetriever and the encoder it was built with`,
      { details: { collection } },
    );
  }
  const { encoderModelId, dimension, metric } = stored.manifest;
  const retriever = createQdrantRetriever({
    ...options,
    client,
    url,
    encoderModelId,
    dimension,
    metric,
    ...(stored.vectorName !== null ? { vectorName: stored.vectorName } : {}),
    ...(stored.sparse && options.hybrid !== undefined
      ? {
          hybrid: {
            ...(options.hybrid === true ? {} : options.hybrid),
            sparseVectorName: stored.sparse.name,
          },
        }
      : {}),
    createCollection: false,
  });
  await retriever.init();
  return retriever;
}

/** @deprecated Renamed `loadQdrantRetriever` (ragloom's names: `load` = existing or NOT_FOUND); this alias goes in the next minor. */
export const openQdrantRetriever: (options: LoadQdrantRetrieverOptions) => Promise<QdrantRetriever> =
  loadQdrantRetriever;
