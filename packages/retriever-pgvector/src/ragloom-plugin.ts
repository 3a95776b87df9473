import { RagloomError, type RagloomPluginV1, requireDenseManifest } from '@ragloom/core';
import { z } from 'zod';
import { createPgFullTextRetriever } from './fulltext-retriever.js';
import { createPgvectorRetriever } from './pgvector-retriever.js';

const positiveInt = z.number().int().positive();

export const pgvectorRetrieverOptionsSchema = z
  .object({
    /** The environment variable holding the connection string (default DATABASE_URL); never the string itself. */
    connectionStringEnv: z.string().min(1).optional(),
    /** `vector` (pgvector HNSW, the default) or `fulltext` (Postgres full-text search on the same table). */
    search: z.enum(['vector', 'fulltext']).optional(),
    /** Default `ragloom_<retriever name>`. */
    table: z.string().min(1).max(63).optional(),
    schema: z.string().min(1).max(63).optional(),
    namespace: z.string().min(1).optional(),
    metric: z.enum(['cosine', 'dot', 'l2']).optional(),
    vectorType: z.enum(['vector', 'halfvec']).optional(),
    m: z.number().int().min(2).max(100).optional(),
    efConstruction: z.number().int().min(4).max(1000).optional(),
    efSearch: z.number().int().min(1).max(1000).optional(),
    iterativeScan: z.enum(['strict_order', 'relaxed_order', 'off']).optional(),
    textSearchConfig: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/)
      .optional(),
    rankNormalization: z.number().int().min(0).max(63).optional(),
    poolMax: positiveInt.optional(),
    createExtension: z.boolean().optional(),
  })
  .strict();

type PluginOptions = z.infer<typeof pgvectorRetrieverOptionsSchema>;

/**
 * `"retrievers": [{ "name": "dense", "use": "@ragloom/retriever-pgvector", "options": { "table": "docs" } }]`, and for
 * hybrid search in the same table a second one with `"search": "fulltext"`. The connection string comes from the
 * environment variable `connectionStringEnv` (DATABASE_URL by default), so no password sits in the config.
 */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/retriever-pgvector',
  retriever: {
    optionsSchema: pgvectorRetrieverOptionsSchema,
    create: async (raw, context) => {
      // The host validated `raw` with the schema above; the factory type is not generic over it yet.
      const options = raw as PluginOptions;
      const env = options.connectionStringEnv ?? 'DATABASE_URL';
      const connectionString = process.env[env];
      if (!connectionString) {
        throw new RagloomError(
          'INVALID_CONFIG',
          `retriever "${context.name}" (@ragloom/retriever-pgvector) reads its connection string from the environment variable ${env}, which is not set`,
          { details: { connectionStringEnv: env } },
        );
      }
      const common = {
        connectionString,
        ...(options.poolMax !== undefined ? { poolOptions: { max: options.poolMax } } : {}),
        table: options.table ?? `ragloom_${context.name.replace(/[^A-Za-z0-9_]/g, '_')}`,
        ...(options.schema !== undefined ? { schema: options.schema } : {}),
        ...(options.namespace !== undefined ? { namespace: options.namespace } : {}),
      };
      const retriever =
        options.search === 'fulltext'
          ? createPgFullTextRetriever({
              ...common,
              ...(options.textSearchConfig !== undefined
                ? { textSearchConfig: options.textSearchConfig }
                : {}),
              ...(options.rankNormalization !== undefined
                ? { rankNormalization: options.rankNormalization }
                : {}),
            })
          : (() => {
              const manifest = requireDenseManifest(context, '@ragloom/retriever-pgvector');
              return createPgvectorRetriever({
                ...common,
                encoderModelId: manifest.encoderModelId,
                dimension: manifest.dimension,
                metric: options.metric ?? manifest.metric,
                ...(options.vectorType !== undefined ? { vectorType: options.vectorType } : {}),
                hnsw: {
                  ...(options.m !== undefined ? { m: options.m } : {}),
                  ...(options.efConstruction !== undefined ? { efConstruction: options.efConstruction } : {}),
                },
                ...(options.efSearch !== undefined ? { efSearch: options.efSearch } : {}),
                ...(options.iterativeScan !== undefined ? { iterativeScan: options.iterativeScan } : {}),
                ...(options.createExtension !== undefined
                  ? { createExtension: options.createExtension }
                  : {}),
              });
            })();
      try {
        // Connect, migrate and check the stored manifest now: a wrong encoder or an unreachable server is
        // reported at startup, not at the first query.
        await retriever.init();
      } catch (error) {
        await retriever.close();
        throw error;
      }
      return retriever;
    },
  },
};
