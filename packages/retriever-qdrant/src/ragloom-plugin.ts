import { defineRagloomPlugin, option, requireDenseManifest, withApiKeyFromEnv } from '@ragloom/core/adapter';
import { createQdrantRetriever } from './qdrant-retriever.js';

/**
 * What a config file may set, declared once with the adapter kit (the plugin's Standard Schema and the check
 * `create` runs). The manifest (encoder id, dimension) comes from the host's encoder; keys come from the
 * environment variable `apiKeyEnv` names, never from the file; clients, sparse encoders and callbacks are for code.
 */
export const qdrantRetrieverPluginOptions = option.object({
  url: option.url().optional().describe('Default http://localhost:6333.'),
  apiKeyEnv: option.string().optional().describe('The environment variable holding the Qdrant API key.'),
  collection: option.string().describe('The Qdrant collection; created from the manifest when missing.'),
  metric: option.enum(['cosine', 'dot', 'l2']).optional().describe("Default: the encoder's metric."),
  vectorName: option.string().optional().describe('Store the dense vector under this name (named vectors).'),
  createCollection: option.boolean().optional().describe('Create the collection when missing. Default true.'),
  batchSize: option.integer({ min: 1 }).optional().describe('Points per upsert request. Default 256.'),
  concurrency: option
    .integer({ min: 1 })
    .optional()
    .describe('Upsert requests in flight at once. Default 2.'),
  wait: option.boolean().optional().describe('Wait until Qdrant has applied each write. Default true.'),
  hybrid: option
    .union([
      option.literal(true),
      option.object({
        sparseVectorName: option.string().optional(),
        prefetchLimit: option.integer({ min: 1 }).optional(),
        fusion: option.enum(['rrf', 'dbsf']).optional(),
      }),
    ])
    .optional()
    .describe('Hybrid search (dense + BM25 sparse, fused by RRF or DBSF): true, or its settings.'),
});

/** `"retrievers": [{ "name": "qdrant", "use": "@ragloom/retriever-qdrant", "options": { "collection": "docs" } }]` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/retriever-qdrant',
  retriever: {
    options: qdrantRetrieverPluginOptions,
    create: async (options, context) => {
      const manifest = requireDenseManifest(context, '@ragloom/retriever-qdrant');
      const rest = withApiKeyFromEnv(options, context);
      const retriever = createQdrantRetriever({
        ...rest,
        encoderModelId: manifest.encoderModelId,
        dimension: manifest.dimension,
        metric: rest.metric ?? manifest.metric,
      });
      // Connect and check the collection's manifest now, so a mismatch or an unreachable server is reported at
      // startup rather than at the first query.
      await retriever.init();
      return retriever;
    },
  },
});
