import { type RagloomPluginV1, requireDenseManifest, withApiKeyFromEnv } from '@ragloom/core';
import { z } from 'zod';
import { createQdrantRetriever } from './qdrant-retriever.js';
import type { QdrantRetrieverOptions } from './qdrant-retriever-options.js';

export const qdrantRetrieverOptionsSchema = z
  .object({
    url: z.string().url().optional(),
    /** The environment variable holding the Qdrant API key; keys never go in config files. */
    apiKeyEnv: z.string().min(1).optional(),
    collection: z.string().min(1),
    metric: z.enum(['cosine', 'dot', 'l2']).optional(),
    vectorName: z.string().min(1).optional(),
  })
  .strict();

/** `"retrievers": [{ "name": "qdrant", "use": "@ragloom/retriever-qdrant", "options": { "collection": "docs" } }]` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/retriever-qdrant',
  retriever: {
    optionsSchema: qdrantRetrieverOptionsSchema,
    create: async (options, context) => {
      const manifest = requireDenseManifest(context, '@ragloom/retriever-qdrant');
      const rest = withApiKeyFromEnv(options, context);
      const retriever = createQdrantRetriever({
        ...rest,
        encoderModelId: manifest.encoderModelId,
        dimension: manifest.dimension,
        metric: (rest.metric as QdrantRetrieverOptions['metric']) ?? manifest.metric,
      } as QdrantRetrieverOptions);
      // Connect and check the collection's manifest now, so a mismatch or an unreachable server is reported at
      // startup rather than at the first query.
      await retriever.init();
      return retriever;
    },
  },
};
