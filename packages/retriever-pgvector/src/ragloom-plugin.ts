import { RagloomError } from '@ragloom/core';
import { defineRagloomPlugin, type InferOptions, option, requireDenseManifest } from '@ragloom/core/adapter';
import { createPgFullTextRetriever } from './fulltext-retriever.js';
import {
  pgEfSearch,
  pgHnswEfConstruction,
  pgHnswM,
  pgIdentifier,
  pgIterativeScan,
  pgMetric,
  pgNamespace,
  pgPoolOptions,
  pgRankNormalization,
  pgTextSearchConfig,
  pgVectorType,
} from './pgvector-options.js';
import { createPgvectorRetriever } from './pgvector-retriever.js';

/**
 * The options a config may give (`{"use": "@ragloom/retriever-pgvector", "options": {...}}`): the factories'
 * declarations (`pgvector-options.ts`) flattened into one object, each field from the same leaf, so the plugin
 * and the factories refuse the same values. The connection string comes from an environment variable.
 */
export const pgvectorPluginOptions = option.object({
  connectionStringEnv: option
    .string({ pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, expected: 'an environment variable name' })
    .default('DATABASE_URL')
    .describe('The environment variable holding the connection string; never the string itself.'),
  search: option
    .enum(['vector', 'fulltext'])
    .default('vector')
    .describe('pgvector HNSW search, or Postgres full-text search on the same table.'),
  table: pgIdentifier.optional().describe('The index table (default ragloom_<retriever name>).'),
  schema: pgIdentifier.optional(),
  namespace: pgNamespace.optional().describe('The tenant every operation is scoped to (default "default").'),
  metric: pgMetric.optional().describe("Default: the encoder's metric."),
  vectorType: pgVectorType.optional(),
  m: pgHnswM.optional(),
  efConstruction: pgHnswEfConstruction.optional(),
  efSearch: pgEfSearch.optional(),
  iterativeScan: pgIterativeScan.optional(),
  textSearchConfig: pgTextSearchConfig.optional(),
  rankNormalization: pgRankNormalization.optional(),
  poolMax: pgPoolOptions.shape.max,
  createExtension: option.boolean().optional(),
});

export type PgvectorPluginOptions = InferOptions<typeof pgvectorPluginOptions>;

/**
 * `"retrievers": [{ "name": "dense", "use": "@ragloom/retriever-pgvector", "options": { "table": "docs" } }]`, and for
 * hybrid search in the same table a second one with `"search": "fulltext"`. The connection string comes from the
 * environment variable `connectionStringEnv` (DATABASE_URL by default), so no password sits in the config.
 */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/retriever-pgvector',
  retriever: {
    options: pgvectorPluginOptions,
    async create(options, context) {
      const env = options.connectionStringEnv;
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
          : createPgvectorRetriever({
              ...common,
              ...denseSettings(options, requireDenseManifest(context, '@ragloom/retriever-pgvector')),
            });
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
});

function denseSettings(
  options: PgvectorPluginOptions,
  manifest: { encoderModelId: string; dimension: number; metric: 'cosine' | 'dot' | 'l2' },
) {
  return {
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
    ...(options.createExtension !== undefined ? { createExtension: options.createExtension } : {}),
  };
}
