import type { Schemas } from '@qdrant/js-client-rest';
import { assertManifestMatches, type DenseIndexManifest, type Metric, RagloomError } from '@ragloom/core';
import type { QdrantClientLike } from './qdrant-client-like.js';
import { mapQdrantError } from './qdrant-error.js';
import { metadataFieldPath } from './qdrant-filter.js';
import { PAYLOAD_KEYS } from './qdrant-payload.js';
import { RAGLOOM_POINT_ID_NAMESPACE } from './qdrant-point-id.js';
import type { QdrantCollectionSettings } from './qdrant-retriever-options.js';

/** Key of ragloom's entry in the collection metadata (Qdrant's `config.metadata`). */
export const RAGLOOM_METADATA_KEY = 'ragloom';
export const RAGLOOM_METADATA_FORMAT = 1;

/**
 * What ragloom stores in the collection's metadata. Collection metadata rather than a reserved
 * point: a reserved point would be counted, scanned, searched and deleted-by-filter like any
 * other, so every operation would need to exclude it, and a `delete({ filter: {} })` could wipe the
 * manifest. Metadata lives beside the vectors config and survives snapshots.
 */
export interface RagloomCollectionMetadata {
  readonly format: number;
  readonly manifest: DenseIndexManifest;
  /** The named dense vector, or null for a single unnamed vector. */
  readonly vectorName: string | null;
  readonly pointIdNamespace: string;
  readonly payloadKeys: typeof PAYLOAD_KEYS;
  /** The sparse vector of hybrid collections, and the encoder that produced it. */
  readonly sparse: { readonly name: string; readonly encoder: string } | null;
}

export function metricToDistance(metric: Metric): Schemas['Distance'] {
  switch (metric) {
    case 'cosine':
      return 'Cosine';
    case 'dot':
      return 'Dot';
    case 'l2':
      return 'Euclid';
  }
}

export interface CollectionPlan {
  readonly collection: string;
  readonly manifest: DenseIndexManifest;
  readonly vectorName: string | undefined;
  readonly sparse:
    | { readonly name: string; readonly encoderId: string; readonly modifier: 'idf' | 'none' }
    | undefined;
  readonly create: boolean;
  readonly settings: QdrantCollectionSettings;
  readonly payloadIndexes: Readonly<Record<string, Schemas['PayloadFieldSchema']>>;
  readonly url: string | undefined;
}

function metadataFor(plan: CollectionPlan): RagloomCollectionMetadata {
  return {
    format: RAGLOOM_METADATA_FORMAT,
    manifest: plan.manifest,
    vectorName: plan.vectorName ?? null,
    pointIdNamespace: RAGLOOM_POINT_ID_NAMESPACE,
    payloadKeys: PAYLOAD_KEYS,
    sparse: plan.sparse ? { name: plan.sparse.name, encoder: plan.sparse.encoderId } : null,
  };
}

/** The request that creates a collection for `plan` (exported for tests pinning the JSON). */
export function createCollectionRequest(plan: CollectionPlan): Schemas['CreateCollection'] {
  const { settings, manifest } = plan;
  const dense: Schemas['VectorParams'] = {
    size: manifest.dimension,
    distance: metricToDistance(manifest.metric),
    ...(settings.onDiskVectors !== undefined ? { on_disk: settings.onDiskVectors } : {}),
  };
  return {
    vectors: plan.vectorName === undefined ? dense : { [plan.vectorName]: dense },
    ...(plan.sparse ? { sparse_vectors: { [plan.sparse.name]: { modifier: plan.sparse.modifier } } } : {}),
    ...(settings.onDiskPayload !== undefined ? { on_disk_payload: settings.onDiskPayload } : {}),
    ...(settings.hnsw ? { hnsw_config: settings.hnsw } : {}),
    ...(settings.quantization ? { quantization_config: settings.quantization } : {}),
    ...(settings.shardNumber !== undefined ? { shard_number: settings.shardNumber } : {}),
    ...(settings.replicationFactor !== undefined ? { replication_factor: settings.replicationFactor } : {}),
    ...(settings.writeConsistencyFactor !== undefined
      ? { write_consistency_factor: settings.writeConsistencyFactor }
      : {}),
    ...(settings.optimizers ? { optimizers_config: settings.optimizers } : {}),
  };
}

function mismatch(
  plan: CollectionPlan,
  message: string,
  details: Record<string, unknown> = {},
): RagloomError {
  return new RagloomError('MANIFEST_MISMATCH', `Qdrant collection "${plan.collection}" ${message}`, {
    details: { collection: plan.collection, ...details },
  });
}

/** Reads and shape-checks ragloom's metadata entry; undefined when the collection has none. */
export function readRagloomMetadata(
  info: Schemas['CollectionInfo'],
  collection: string,
): RagloomCollectionMetadata | undefined {
  const metadata = info.config.metadata as Record<string, unknown> | null | undefined;
  const entry = metadata?.[RAGLOOM_METADATA_KEY];
  if (entry === undefined || entry === null) return undefined;
  const corrupt = (why: string) =>
    new RagloomError(
      'INDEX_CORRUPT',
      `Qdrant collection "${collection}" has unreadable ragloom metadata: ${why}`,
      {
        details: { collection, metadata: entry },
      },
    );
  if (typeof entry !== 'object') throw corrupt('not an object');
  const m = entry as Partial<RagloomCollectionMetadata>;
  if (m.format !== RAGLOOM_METADATA_FORMAT) {
    throw corrupt(
      `format ${String(m.format)} (this version of @ragloom/retriever-qdrant reads ${RAGLOOM_METADATA_FORMAT})`,
    );
  }
  const manifest = m.manifest as Partial<DenseIndexManifest> | undefined;
  if (
    manifest?.kind !== 'dense' ||
    typeof manifest.encoderModelId !== 'string' ||
    typeof manifest.dimension !== 'number' ||
    !['cosine', 'dot', 'l2'].includes(manifest.metric as string)
  ) {
    throw corrupt('the manifest is not a dense manifest');
  }
  return m as RagloomCollectionMetadata;
}

/** The dense vector parameters of the collection, by name (or the unnamed vector). */
function denseParams(plan: CollectionPlan, info: Schemas['CollectionInfo']): Schemas['VectorParams'] {
  const vectors = info.config.params.vectors as Record<string, unknown> | undefined;
  if (vectors === undefined) throw mismatch(plan, 'has no dense vectors');
  const unnamed = typeof vectors.size === 'number';
  if (plan.vectorName === undefined) {
    if (unnamed) return vectors as unknown as Schemas['VectorParams'];
    throw mismatch(
      plan,
      `has named vectors (${Object.keys(vectors).join(', ')}); set the vectorName option`,
      {
        vectorNames: Object.keys(vectors),
      },
    );
  }
  if (unnamed) {
    throw mismatch(plan, `has a single unnamed vector, not one named "${plan.vectorName}"`);
  }
  const params = vectors[plan.vectorName] as Schemas['VectorParams'] | undefined;
  if (params === undefined) {
    throw mismatch(
      plan,
      `has no vector named "${plan.vectorName}" (it has ${Object.keys(vectors).join(', ')})`,
    );
  }
  return params;
}

/** Checks an existing collection's vector config and ragloom metadata against the plan. */
export function verifyCollection(
  plan: CollectionPlan,
  info: Schemas['CollectionInfo'],
): RagloomCollectionMetadata | undefined {
  const { manifest } = plan;
  const params = denseParams(plan, info);
  if (params.size !== manifest.dimension) {
    throw mismatch(
      plan,
      `stores ${params.size}-dimensional vectors, but the index expects ${manifest.dimension}`,
      {
        expected: manifest.dimension,
        actual: params.size,
      },
    );
  }
  const distance = metricToDistance(manifest.metric);
  if (params.distance !== distance) {
    throw mismatch(
      plan,
      `uses ${params.distance} distance, but the metric "${manifest.metric}" needs ${distance}`,
      {
        expected: distance,
        actual: params.distance,
      },
    );
  }
  if (plan.sparse) {
    const sparse = info.config.params.sparse_vectors?.[plan.sparse.name];
    if (!sparse) throw mismatch(plan, `has no sparse vector "${plan.sparse.name}" for hybrid search`);
    const modifier = sparse.modifier ?? 'none';
    if (modifier !== plan.sparse.modifier) {
      throw mismatch(
        plan,
        `sparse vector "${plan.sparse.name}" uses modifier ${modifier}, the encoder needs ${plan.sparse.modifier}`,
      );
    }
  }
  const stored = readRagloomMetadata(info, plan.collection);
  if (stored === undefined) return undefined;
  assertManifestMatches(stored.manifest, manifest, `Qdrant collection "${plan.collection}"`);
  if ((stored.vectorName ?? undefined) !== plan.vectorName) {
    throw mismatch(plan, `stores its dense vector as ${stored.vectorName ?? 'the unnamed vector'}`);
  }
  if (stored.pointIdNamespace !== RAGLOOM_POINT_ID_NAMESPACE) {
    throw mismatch(
      plan,
      `maps ids with namespace ${stored.pointIdNamespace}, not ${RAGLOOM_POINT_ID_NAMESPACE}`,
    );
  }
  if (plan.sparse && stored.sparse && stored.sparse.encoder !== plan.sparse.encoderId) {
    throw mismatch(
      plan,
      `was built with sparse encoder ${stored.sparse.encoder}, not ${plan.sparse.encoderId}`,
      {
        expected: plan.sparse.encoderId,
        actual: stored.sparse.encoder,
      },
    );
  }
  return stored;
}

async function call<T>(plan: CollectionPlan, operation: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    throw mapQdrantError(error, { operation, collection: plan.collection, url: plan.url });
  }
}

async function writeMetadata(
  client: QdrantClientLike,
  plan: CollectionPlan,
): Promise<RagloomCollectionMetadata> {
  const metadata = metadataFor(plan);
  await call(plan, 'write ragloom metadata', () =>
    client.updateCollection(plan.collection, { metadata: { [RAGLOOM_METADATA_KEY]: metadata } }),
  );
  // Read back: a server without collection metadata support accepts and drops the field, which
  // would leave an index with no manifest.
  const info = await call(plan, 'get collection', () => client.getCollection(plan.collection));
  if (readRagloomMetadata(info, plan.collection) === undefined) {
    throw new RagloomError(
      'UNSUPPORTED',
      `Qdrant did not keep the collection metadata written to "${plan.collection}"; ragloom stores its manifest there, which needs a Qdrant server with collection metadata (1.16 or newer; ragloom supports 1.18.1 and newer)`,
      { details: { collection: plan.collection } },
    );
  }
  return metadata;
}

/**
 * Makes the collection ready: creates it from the plan when missing, otherwise verifies its vector
 * config and ragloom metadata (MANIFEST_MISMATCH naming each difference), adopts an empty collection
 * that has no ragloom metadata yet, and ensures the requested payload indexes.
 */
export async function ensureCollection(
  client: QdrantClientLike,
  plan: CollectionPlan,
): Promise<RagloomCollectionMetadata> {
  const { exists } = await call(plan, 'check collection', () => client.collectionExists(plan.collection));
  if (!exists) {
    if (!plan.create) {
      throw new RagloomError('NOT_FOUND', `Qdrant collection "${plan.collection}" does not exist`, {
        details: { collection: plan.collection },
      });
    }
    try {
      await client.createCollection(plan.collection, createCollectionRequest(plan));
    } catch (error) {
      // Another process may have created it between the check and the create: verify theirs.
      // Otherwise (or if even the check fails) the create's own error is the one to report.
      const createError = mapQdrantError(error, {
        operation: 'create collection',
        collection: plan.collection,
        url: plan.url,
      });
      const again = await client.collectionExists(plan.collection).catch(() => ({ exists: false }));
      if (!again.exists) throw createError;
    }
  }
  const info = await call(plan, 'get collection', () => client.getCollection(plan.collection));
  let stored = verifyCollection(plan, info);
  if (stored === undefined) {
    // No ragloom manifest: only an empty collection (ours, created a moment ago, or one prepared by
    // an operator) may be adopted; a filled one holds vectors of an unknown encoder.
    const { count } = await call(plan, 'count', () => client.count(plan.collection, { exact: true }));
    if (count > 0) {
      throw mismatch(
        plan,
        `holds ${count} points but no ragloom manifest (was it created by another tool?); ragloom will not guess which encoder made its vectors`,
        { points: count },
      );
    }
    stored = await writeMetadata(client, plan);
  }
  for (const [field, schema] of Object.entries(plan.payloadIndexes)) {
    const path = metadataFieldPath(field, PAYLOAD_KEYS.metadata);
    const existing = info.payload_schema[path];
    const wanted = typeof schema === 'string' ? schema : schema.type;
    if (existing?.data_type === wanted) continue;
    await call(plan, `create payload index on ${path}`, () =>
      client.createPayloadIndex(plan.collection, { field_name: path, field_schema: schema, wait: true }),
    );
  }
  return stored;
}
