import {
  assertPositiveInteger,
  type DeleteSelector,
  type Filter,
  type Metadata,
  type ProgressEvent,
  type RetrieverRecord,
  throwIfAborted,
} from '@ragloom/core';
import { parseDeleteSelector } from '@ragloom/core/adapter';
import type { PgQueryable, SqlExecutor } from './pg-connection.js';
import { filterSql, SqlParams } from './sql-filter.js';
import type { TableNames } from './sql-identifiers.js';
import { datetimesJson, metadataJson } from './stored-record.js';

/** The row operations both retrievers share: one namespace of one index table. */
export interface IndexTable {
  readonly names: TableNames;
  readonly namespace: string;
  /**
   * Replaces by id, all in one transaction: multi-row INSERT … ON CONFLICT statements of `batchSize` rows
   * (arrays unnested server side), rows sorted by id so concurrent upserts lock rows in the same order
   * and cannot deadlock. `extra` names further columns and their SQL element types.
   */
  upsert(
    records: readonly RetrieverRecord[],
    extra: ExtraColumns | undefined,
    options: UpsertRunOptions,
  ): Promise<void>;
  delete(selector: DeleteSelector, condition?: string): Promise<{ deleted: number }>;
  count(filter: Filter | undefined, condition?: string): Promise<number>;
  /** Keyset pages in id order (byte order: the id column is COLLATE "C"); `select` adds columns. */
  scan(
    options: { batchSize?: number; signal?: AbortSignal },
    select: string,
    condition?: string,
  ): AsyncIterable<StoredRow[]>;
  /**
   * `VACUUM (ANALYZE)` of the table: reclaims deleted and replaced rows, repairs the HNSW graph around
   * them (pgvector's index vacuum) and refreshes planner statistics. Every namespace's rows, since
   * Postgres vacuums whole tables; readers and writers go on meanwhile (it takes no exclusive lock).
   */
  vacuum(): Promise<void>;
}

export interface StoredRow {
  readonly id: string;
  readonly text: string;
  readonly metadata: Metadata;
  readonly [column: string]: unknown;
}

export interface ExtraColumns {
  /** Column name → `{ type, cast, values }`: `values[i]` belongs to the i-th record. */
  readonly [column: string]: {
    readonly arrayType: string;
    readonly cast: string;
    readonly values: unknown[];
  };
}

export interface UpsertRunOptions {
  readonly batchSize: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: ProgressEvent) => void;
}

/**
 * When this retriever refreshes the table's planner statistics: once the rows it wrote or deleted since
 * its last ANALYZE reach 1,000 plus a tenth of the table as that ANALYZE counted it — autovacuum's rule
 * (`autovacuum_analyze_threshold` + `autovacuum_analyze_scale_factor` × rows), with a larger floor, for
 * servers where autovacuum is off or late (PGlite has none). A bulk load in batches of 1,000 then pays
 * for about 25 ANALYZEs over 100k rows, not one per batch.
 */
const ANALYZE_MIN_CHANGES = 1000;
const ANALYZE_SCALE = 0.1;

/** The last record of a repeated id wins (as in a Map); the rest are sorted by id. */
function latestSortedById(records: readonly RetrieverRecord[]): number[] {
  const latest = new Map<string, number>();
  records.forEach((record, i) => {
    latest.set(record.id, i);
  });
  return [...latest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, i]) => i);
}

export function createIndexTable(executor: SqlExecutor, names: TableNames, namespace: string): IndexTable {
  const t = names.qualified;
  let changedSinceAnalyze = 0;
  let rowsAtAnalyze = 0;

  // After a bulk load the planner's row estimates are stale until autovacuum reaches the table (never, on a
  // server without it), which misleads the exact pass's choice between a sequential scan and the metadata
  // index. Fresh statistics cost one sampled pass.
  async function analyzeAfter(changed: number): Promise<void> {
    changedSinceAnalyze += changed;
    if (changedSinceAnalyze < ANALYZE_MIN_CHANGES + ANALYZE_SCALE * rowsAtAnalyze) return;
    changedSinceAnalyze = 0;
    await executor.query('analyze', `ANALYZE ${t}`);
    const { rows } = await executor.query(
      'analyze',
      'SELECT reltuples::float8 AS n FROM pg_class WHERE oid = $1::regclass',
      [t],
    );
    rowsAtAnalyze = Math.max(0, Number(rows[0]?.n ?? 0));
  }
  const where = (params: SqlParams, filter: Filter | undefined, condition: string | undefined) => {
    const ns = params.add(namespace);
    const f = filterSql(filter, params);
    return `namespace = ${ns}${condition ? ` AND ${condition}` : ''}${f === 'TRUE' ? '' : ` AND ${f}`}`;
  };

  async function upsertBatch(
    session: PgQueryable,
    records: readonly RetrieverRecord[],
    order: number[],
    extra: ExtraColumns | undefined,
  ) {
    const params = new SqlParams();
    const ns = params.add(namespace);
    const columns: [string, string, string, unknown[]][] = [
      ['id', 'text[]', 'text', order.map((i) => records[i]!.id)],
      ['text', 'text[]', 'text', order.map((i) => records[i]!.text)],
      ['metadata', 'jsonb[]', 'jsonb', order.map((i) => metadataJson(records[i]!.metadata))],
      ['datetimes', 'jsonb[]', 'jsonb', order.map((i) => datetimesJson(records[i]!.metadata))],
    ];
    for (const [name, column] of Object.entries(extra ?? {})) {
      columns.push([name, column.arrayType, column.cast, order.map((i) => column.values[i])]);
    }
    const unnest = columns.map(([, arrayType, , values]) => `${params.add(values)}::${arrayType}`).join(', ');
    const names = columns.map(([name]) => name);
    const select = columns.map(([name, , cast]) => `u.${name}::${cast}`).join(', ');
    const updates = names.filter((n) => n !== 'id').map((n) => `${n} = EXCLUDED.${n}`);
    await session.query(
      `INSERT INTO ${t} (namespace, ${names.join(', ')})
       SELECT ${ns}, ${select} FROM unnest(${unnest}) AS u(${names.join(', ')})
       ON CONFLICT (namespace, id) DO UPDATE SET ${updates.join(', ')}`,
      params.values,
    );
  }

  return {
    names,
    namespace,

    async upsert(records, extra, options) {
      const order = latestSortedById(records);
      if (order.length === 0) return;
      await executor.transaction(
        'upsert',
        async (session) => {
          for (let start = 0; start < order.length; start += options.batchSize) {
            await upsertBatch(session, records, order.slice(start, start + options.batchSize), extra);
            options.onProgress?.({
              phase: 'upsert',
              completed: Math.min(start + options.batchSize, order.length),
              total: order.length,
              message: 'written, not yet committed',
            });
          }
        },
        options.signal,
      );
      options.onProgress?.({
        phase: 'upsert',
        completed: order.length,
        total: order.length,
        message: 'committed',
      });
      await analyzeAfter(order.length);
    },

    async delete(selector, condition) {
      parseDeleteSelector(selector);
      const params = new SqlParams();
      let sql: string;
      if ('ids' in selector) {
        if (selector.ids.length === 0) return { deleted: 0 };
        const ns = params.add(namespace);
        sql = `DELETE FROM ${t} WHERE namespace = ${ns} AND id = ANY(${params.add([...new Set(selector.ids)])}::text[])`;
      } else {
        sql = `DELETE FROM ${t} WHERE ${where(params, selector.filter, condition)}`;
      }
      const result = await executor.query('delete', sql, params.values);
      const deleted = result.rowCount ?? 0;
      await analyzeAfter(deleted);
      return { deleted };
    },

    async count(filter, condition) {
      const params = new SqlParams();
      const sql = `SELECT count(*)::bigint AS n FROM ${t} WHERE ${where(params, filter, condition)}`;
      const { rows } = await executor.query('count', sql, params.values);
      return Number(rows[0]?.n ?? 0);
    },

    async *scan(options, select, condition) {
      const size = options.batchSize ?? 1000;
      assertPositiveInteger(size, 'batchSize');
      let after: string | undefined;
      for (;;) {
        throwIfAborted(options.signal, 'scan');
        const params = new SqlParams();
        const ns = params.add(namespace);
        const from = after === undefined ? '' : ` AND id > ${params.add(after)}`;
        const { rows } = await executor.query(
          'scan',
          `SELECT id, text, metadata${select ? `, ${select}` : ''} FROM ${t}
           WHERE namespace = ${ns}${condition ? ` AND ${condition}` : ''}${from}
           ORDER BY id LIMIT ${params.add(size)}`,
          params.values,
          options.signal,
        );
        if (rows.length === 0) return;
        yield rows as StoredRow[];
        if (rows.length < size) return;
        after = String(rows[rows.length - 1]!.id);
      }
    },

    async vacuum() {
      // Not in a transaction (VACUUM refuses to run in one): a plain statement on any pool connection.
      await executor.query('compact', `VACUUM (ANALYZE) ${t}`);
    },
  };
}
