import type { QdrantClient } from '@qdrant/js-client-rest';

/**
 * The part of @qdrant/js-client-rest's `QdrantClient` this retriever calls. Structural, so a
 * client you configured yourself (another compatible version, a proxy, or a test double) can be
 * passed as `client`.
 */
export type QdrantClientLike = Pick<
  QdrantClient,
  | 'collectionExists'
  | 'getCollection'
  | 'createCollection'
  | 'updateCollection'
  | 'deleteCollection'
  | 'createPayloadIndex'
  | 'upsert'
  | 'delete'
  | 'retrieve'
  | 'count'
  | 'scroll'
  | 'query'
>;
