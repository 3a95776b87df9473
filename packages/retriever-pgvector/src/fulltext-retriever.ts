import {
  type DeleteSelector,
  type Filter,
  RagloomError,
  type RetrieverRecord,
  type RetrieverV1,
  type SearchHit,
  type SearchRequest,
  type SparseIndexManifest,
  throwIfAborted,
  validateRecords,
  validateSearchRequest,
} from '@ragloom/core';
import { parseDeleteSelector, parseOptions } from '@ragloom/core/adapter';
import { createIndexTable } from './index-table.js';
import { createSqlExecutor } from './pg-connection.js';
import {
  type PgFullTextRetrieverOptions,
  type PgUpsertOptions,
  pgFullTextRetrieverOptions,
} from './pgvector-options.js';
import { dropIndexTable, ensureSchema, type MigrationStep, tableStep } from './schema-migrations.js';
import { filterSql, isStorableString, SqlParams } from './sql-filter.js';
import { quoteLiteral, type TableNames, tableNames } from './sql-identifiers.js';
import { assertStorable } from './stored-record.js';

/** A ragloom lexical Retriever on Postgres full-text search (`tsvector`), in the same kind of table. */
export interface PgFullTextRetriever extends RetrieverV1 {
  readonly manifest: SparseIndexManifest;
  readonly table: string;
  readonly schema: string;
  readonly namespace: string;
  readonly textSearchConfig: string;
  init(): Promise<void>;
  upsert(records: readonly RetrieverRecord[], options?: PgUpsertOptions): Promise<void>;
  scan(options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<RetrieverRecord[]>;
  save(): Promise<void>;
  close(): Promise<void>;
  /**
   * Reclaims the space of deleted and replaced rows and repairs the index around them (`VACUUM (ANALYZE)`
   * of the table; pgvector removes deleted rows from the HNSW graph and relinks their neighbours). Run it
   * after large deletes on a server without autovacuum; searches and writes go on meanwhile.
   */
  compact(): Promise<void>;
  dropTable(): Promise<void>;
}

/**
 * Han, Hiragana, Katakana and Hangul, as Postgres regular-expression ranges (core's `isCjkChar` scripts).
 * Postgres's parser keeps a run of such characters as one word ("东京是日本的首都" is one token), so the
 * indexed text and the query put a space around each one first: every character is a term, as in core's
 * keyword retriever, and a Chinese or Japanese query matches inside longer runs.
 */
const CJK_CLASS =
  '[\\u1100-\\u11FF\\u2E80-\\u2FDF\\u3005-\\u3007\\u3021-\\u3029\\u3038-\\u303B\\u3040-\\u30FF' +
  '\\u3130-\\u318F\\u31F0-\\u31FF\\u3400-\\u4DBF\\u4E00-\\u9FFF\\uA960-\\uA97F\\uAC00-\\uD7FF' +
  '\\uF900-\\uFAFF\\uFF66-\\uFF9F\\U00020000-\\U0003134F]';

/** The SQL expression that turns `text` (an expression) into the tsvector, for config `config`. */
function documentVector(config: string, text: string): string {
  return `to_tsvector(${quoteLiteral(config)}::regconfig, regexp_replace(${text}, ${quoteLiteral(`(${CJK_CLASS})`)}, ${quoteLiteral(' \\1 ')}, 'g'))`;
}

/**
 * The query: the lexemes Postgres derives from the query text with the same configuration, ORed (a
 * document matching any term is a hit, ranked by ts_rank). Each lexeme is quoted for tsquery input
 * (quotes and backslashes doubled), so nothing the user typed is read as tsquery syntax.
 */
function queryExpression(config: string, textParam: string): string {
  const lexemes = `unnest(tsvector_to_array(${documentVector(config, textParam)}))`;
  return `(SELECT string_agg('''' || replace(replace(lexeme, E'\\\\', E'\\\\\\\\'), '''', '''''') || '''', ' | ')::tsquery FROM ${lexemes} AS lexeme)`;
}

function fullTextSteps(names: TableNames, config: string): MigrationStep[] {
  return [
    tableStep(names),
    {
      id: 'fulltext:1',
      statements: [
        `ALTER TABLE ${names.qualified} ADD COLUMN IF NOT EXISTS text_search tsvector
         GENERATED ALWAYS AS (${documentVector(config, 'text')}) STORED`,
        `CREATE INDEX IF NOT EXISTS ${names.derived('fulltext')} ON ${names.qualified} USING gin (text_search)`,
      ],
    },
  ];
}

/**
 * Creates a lexical Retriever on Postgres full-text search. The tsvector is a generated column of the
 * table, so when a pgvector retriever uses the same table (the same `table`, `schema` and `namespace`),
 * one upsert through either keeps both searchable: one database serves hybrid search.
 */
export function createPgFullTextRetriever(input: PgFullTextRetrieverOptions): PgFullTextRetriever {
  const options = parseOptions(pgFullTextRetrieverOptions, input, { component: 'createPgFullTextRetriever' });
  const {
    textSearchConfig: config,
    rankNormalization: normalization,
    batchSize,
    schema,
    namespace,
  } = options;
  const names = tableNames(schema, options.table);
  const manifest: SparseIndexManifest = { kind: 'sparse', analyzer: `postgres-fts:${config}` };
  const executor = createSqlExecutor(options, { table: names.key });
  const rows = createIndexTable(executor, names, namespace);
  let ready: Promise<void> | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();

  const init = () => {
    if (closed) {
      return Promise.reject(
        new RagloomError('INVALID_ARGUMENT', `the full-text retriever for ${names.key} is closed`),
      );
    }
    ready ??= (async () => {
      // An unknown configuration is a clear error here, not a failed ALTER TABLE.
      const [configSchema, configName] = config.includes('.') ? config.split('.') : [null, config];
      const { rows: found } = await executor.query(
        'check text search configuration',
        `SELECT count(*) AS n FROM pg_ts_config c JOIN pg_namespace s ON s.oid = c.cfgnamespace
         WHERE c.cfgname = $1 AND ($2::text IS NULL OR s.nspname = $2)`,
        [configName, configSchema],
      );
      if (Number(found[0]?.n ?? 0) === 0) {
        throw new RagloomError(
          'INVALID_CONFIG',
          `Postgres has no text search configuration "${config}" (see \\dF in psql)`,
          {
            details: { textSearchConfig: config },
          },
        );
      }
      await ensureSchema(executor, {
        names,
        kind: 'sparse',
        manifest,
        settings: {},
        steps: fullTextSteps(names, config),
        createExtension: false,
        createTable: options.createTable,
      });
    })().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };

  const tracked = <T>(promise: Promise<T>): Promise<T> => {
    inFlight.add(promise);
    const done = () => inFlight.delete(promise);
    promise.then(done, done);
    return promise;
  };

  async function searchImpl(request: SearchRequest): Promise<SearchHit[]> {
    throwIfAborted(request?.signal, 'search');
    validateSearchRequest(request, manifest);
    const text = request.text!;
    const params = new SqlParams();
    const ns = params.add(namespace);
    const f = filterSql(request.filter, params); // invalid filters fail before any connection is used
    if (!isStorableString(text)) return []; // no stored lexeme holds NUL or a lone surrogate
    await init();
    const q = queryExpression(config, params.add(text));
    const { rows: found } = await executor.query(
      'search',
      `WITH query AS (SELECT ${q} AS q)
       SELECT id, text, metadata, ts_rank(text_search, query.q, ${normalization}) AS score
       FROM ${names.qualified}, query
       WHERE query.q IS NOT NULL AND namespace = ${ns} AND text_search @@ query.q${f === 'TRUE' ? '' : ` AND ${f}`}
       ORDER BY score DESC, id LIMIT ${params.add(request.k)}`,
      params.values,
      request.signal,
    );
    return found.map((row) => ({
      id: row.id,
      text: row.text,
      metadata: row.metadata,
      score: Number(row.score),
    }));
  }

  return {
    specificationVersion: 'v1',
    provider: 'postgres-fts',
    manifest,
    capabilities: { query: 'text', scan: true, persistent: true },
    table: options.table,
    schema,
    namespace,
    textSearchConfig: config,
    async init() {
      await init();
    },
    upsert: (records, opts = {}) =>
      tracked(
        (async () => {
          throwIfAborted(opts.signal, 'upsert');
          validateRecords(records, manifest);
          assertStorable(records);
          await init();
          await rows.upsert(records, undefined, {
            batchSize,
            signal: opts.signal,
            onProgress: opts.onProgress ?? options.onProgress,
          });
        })(),
      ),
    delete: (selector: DeleteSelector) =>
      tracked(
        (async () => {
          parseDeleteSelector(selector); // both/neither/non-string ids/bad filters: refused before anything is sent
          await init();
          return rows.delete(selector);
        })(),
      ),
    search: searchImpl,
    async count(filter?: Filter) {
      filterSql(filter, new SqlParams());
      await init();
      return rows.count(filter);
    },
    async *scan(opts = {}) {
      throwIfAborted(opts.signal, 'scan');
      await init();
      for await (const page of rows.scan(opts, '')) {
        yield page.map((row) => ({ id: row.id, text: row.text, metadata: row.metadata }));
      }
    },
    async compact() {
      await init();
      await rows.vacuum();
    },
    async save() {
      await Promise.allSettled([...inFlight]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled([...inFlight]);
      await executor.close();
    },
    async dropTable() {
      await Promise.allSettled([...inFlight]);
      ready = undefined;
      await dropIndexTable(executor, names);
    },
  };
}
