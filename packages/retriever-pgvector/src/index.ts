export { createPgFullTextRetriever, type PgFullTextRetriever } from './fulltext-retriever.js';
export type { PgPoolLike, PgQueryable, PgQueryResultLike } from './pg-connection.js';
export { codeForSqlState, mapPgError, type PgErrorContext } from './pg-error.js';
export {
  type ParsedPgvectorRetrieverOptions,
  type PgConnectionOptions,
  type PgFullTextRetrieverOptions,
  type PgHnswOptions,
  type PgPoolOptions,
  type PgTableOptions,
  type PgUpsertOptions,
  type PgvectorRetrieverOptions,
  type PgvectorSearchRequest,
  pgFullTextRetrieverOptions,
  pgvectorRetrieverOptions,
} from './pgvector-options.js';
export { createPgvectorRetriever, type PgvectorRetriever } from './pgvector-retriever.js';
export { type PgvectorPluginOptions, pgvectorPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
export { MIGRATION_LOCK } from './schema-migrations.js';
export { type FilterColumns, filterSql, isStorableString, SqlParams } from './sql-filter.js';
