import type { DeleteSelector, Filter } from '@ragloom/core';
import {
  type ConnectionLifecycle,
  createConnectionLifecycle,
  parseDeleteSelector,
} from '@ragloom/core/adapter';
import { createIndexTable, type IndexTable } from './index-table.js';
import { createSqlExecutor, type SqlExecutor } from './pg-connection.js';
import type { PgConnectionOptions } from './pgvector-options.js';
import { dropIndexTable } from './schema-migrations.js';
import { filterSql, SqlParams } from './sql-filter.js';
import { type TableNames, tableNames } from './sql-identifiers.js';

/** What a retriever on an index table has besides its search: the same for pgvector and full-text search. */
export interface IndexTableMethods {
  readonly table: string;
  readonly schema: string;
  readonly namespace: string;
  init(): Promise<void>;
  delete(selector: DeleteSelector): Promise<{ deleted: number }>;
  count(filter?: Filter): Promise<number>;
  save(): Promise<void>;
  close(): Promise<void>;
  /**
   * Reclaims the space of deleted and replaced rows and repairs the index around them (`VACUUM (ANALYZE)`
   * of the table; pgvector removes deleted rows from the HNSW graph and relinks their neighbours). Run it
   * after large deletes on a server without autovacuum; searches and writes go on meanwhile.
   */
  compact(): Promise<void>;
  /** Drops the whole table (every namespace, and any other retriever's column on it) and its manifests. */
  dropTable(): Promise<void>;
}

/**
 * The table-level methods of a retriever on `rows`: deletes take whole rows (so a full-text index on the
 * same table loses them too), counts see the rows `condition` allows (`embedding IS NOT NULL` for pgvector:
 * rows written only through full-text search have no vector).
 */
function indexTableMethods(
  lifecycle: ConnectionLifecycle<unknown>,
  executor: SqlExecutor,
  rows: IndexTable,
  names: TableNames,
  namespace: string,
  condition?: string,
): IndexTableMethods {
  return {
    table: names.table,
    schema: names.schema,
    namespace,
    async init() {
      await lifecycle.ready();
    },
    delete: (selector) =>
      lifecycle.track(
        (async () => {
          parseDeleteSelector(selector); // both/neither/non-string ids/bad filters: refused before anything is sent
          await lifecycle.ready();
          return rows.delete(selector);
        })(),
      ),
    async count(filter) {
      filterSql(filter, new SqlParams()); // invalid filters fail before any connection is used
      await lifecycle.ready();
      return rows.count(filter, condition);
    },
    save: lifecycle.settle,
    close: () => lifecycle.close(() => executor.close()),
    async compact() {
      await lifecycle.ready();
      await rows.vacuum();
    },
    async dropTable() {
      await lifecycle.settle();
      lifecycle.forget();
      await dropIndexTable(executor, names);
    },
  };
}

/** One retriever's hold on its index table: where it is, how to reach it, and its connection state. */
export interface IndexTableSetup<T> {
  readonly names: TableNames;
  readonly executor: SqlExecutor;
  readonly rows: IndexTable;
  readonly lifecycle: ConnectionLifecycle<T>;
  /** The table-level methods, to spread into the retriever. */
  readonly methods: IndexTableMethods;
}

/**
 * What both Postgres retrievers set up the same way from their parsed options: the table's names, the SQL
 * executor (a pool, a client or a connection string), the namespace's rows, and a connection lifecycle whose
 * `open` (migrations, manifest check) runs on first use. `label` names the retriever in the closed error.
 */
export function setUpIndexTable<T>(
  options: PgConnectionOptions & {
    readonly table: string;
    readonly schema: string;
    readonly namespace: string;
  },
  label: string,
  open: (table: { names: TableNames; executor: SqlExecutor }) => Promise<T>,
  liveRows?: string,
): IndexTableSetup<T> {
  const names = tableNames(options.schema, options.table);
  const executor = createSqlExecutor(options, { table: names.key });
  const rows = createIndexTable(executor, names, options.namespace);
  const lifecycle = createConnectionLifecycle(`the ${label} retriever for ${names.key}`, () =>
    open({ names, executor }),
  );
  const methods = indexTableMethods(lifecycle, executor, rows, names, options.namespace, liveRows);
  return { names, executor, rows, lifecycle, methods };
}
