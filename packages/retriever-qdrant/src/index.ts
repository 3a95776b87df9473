export type { QdrantClientLike } from './qdrant-client-like.js';
export {
  createCollectionRequest,
  metricToDistance,
  RAGLOOM_METADATA_KEY,
  type RagloomCollectionMetadata,
} from './qdrant-collection.js';
export { mapQdrantError, type QdrantErrorContext } from './qdrant-error.js';
export {
  metadataFieldPath,
  type QdrantCondition,
  type QdrantFilter,
  type QdrantFilterOptions,
  type QdrantFilterTranslation,
  quotePayloadKey,
  translateFilter,
  translateFilterNode,
} from './qdrant-filter.js';
export { PAYLOAD_KEYS } from './qdrant-payload.js';
export { RAGLOOM_POINT_ID_NAMESPACE, toPointId, uuidV5 } from './qdrant-point-id.js';
export {
  createQdrantRetriever,
  loadQdrantRetriever,
  openQdrantRetriever,
  type QdrantRetriever,
} from './qdrant-retriever.js';
export {
  type LoadQdrantRetrieverOptions,
  loadQdrantRetrieverOptions,
  type OpenQdrantRetrieverOptions,
  type ParsedQdrantRetrieverOptions,
  type QdrantCollectionSettings,
  type QdrantConnectionOptions,
  type QdrantHybridOptions,
  type QdrantRetrieverOptions,
  type QdrantSearchRequest,
  type QdrantUpsertOptions,
  qdrantRetrieverOptions,
} from './qdrant-retriever-options.js';
export { qdrantRetrieverPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
export {
  type Bm25SparseEncoderOptions,
  createBm25SparseEncoder,
  fnv1a32,
  type SparseEncoder,
  type SparseVector,
} from './sparse-encoder.js';
