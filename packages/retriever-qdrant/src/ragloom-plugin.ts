import { defineRagloomPlugin, option, requireDenseManifest, withApiKeyFromEnv } from '@ragloom/core/adapter';
import { createQdrantRetriever } from './qdrant-retriever.js';
import {
  distinctVectorNames,
  qdrantHybridSettingsShape,
  qdrantRetrieverOptionShape,
} from './qdrant-retriever-options.js';

/**
 * What a config file may set: the factory's declaration (`qdrantRetrieverOptionShape`) without what the host
 * supplies (the manifest comes from its encoder) or only code can pass (clients, sparse encoders, callbacks,
 * Qdrant request fragments). Keys come from the environment variable `apiKeyEnv` names, never from the file.
 */
export const qdrantRetrieverPluginOptions = option
  .object(qdrantRetrieverOptionShape)
  .pick('url', 'collection', 'metric', 'vectorName', 'createCollection', 'batchSize', 'concurrency', 'wait')
  .extend({
    metric: qdrantRetrieverOptionShape.metric.describe("Default: the encoder's metric."),
    apiKeyEnv: option.string().optional().describe('The environment variable holding the Qdrant API key.'),
    hybrid: option
      .union([option.literal(true), option.object(qdrantHybridSettingsShape)])
      .optional()
      .describe('Hybrid search (dense + BM25 sparse, fused by RRF or DBSF): true, or its settings.'),
  })
  .refine(distinctVectorNames);

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
