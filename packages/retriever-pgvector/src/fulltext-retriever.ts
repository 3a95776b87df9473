import {
  RagloomError,
  type SearchHit,
  type SearchRequest,
  type SparseIndexManifest,
  throwIfAborted,
} from '@ragloom/core';
import { type ConnectedRetriever, checkSearch, checkUpsert, parseOptions } from '@ragloom/core/adapter';
import {
  type PgFullTextRetrieverOptions,
  type PgUpsertOptions,
  pgFullTextRetrieverOptions,
} from './pgvector-options.js';
import { ensureSchema, type MigrationStep, tableStep } from './schema-migrations.js';
import { filterSql, isStorableString, SqlParams } from './sql-filter.js';
import { quoteLiteral, type TableNames } from './sql-identifiers.js';
import { assertStorable } from './stored-record.js';
import { type IndexTableMethods, setUpIndexTable } from './table-retriever.js';

/** A ragloom lexical Retriever on Postgres full-text search (`tsvector`), in the same kind of table. */
export interface PgFullTextRetriever
  extends ConnectedRetriever<SearchRequest, PgUpsertOptions>,
    IndexTableMethods {
  readonly manifest: SparseIndexManifest;
  readonly textSearchConfig: string;
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
  const { textSearchConfig: config, rankNormalization: normalization, batchSize, namespace } = options;
  const manifest: SparseIndexManifest = { kind: 'sparse', analyzer: `postgres-fts:${config}` };
  const { names, executor, rows, lifecycle, methods } = setUpIndexTable(
    options,
    'full-text',
    async ({ names, executor }) => {
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
    },
  );
  const init = lifecycle.ready;

  async function searchImpl(request: SearchRequest): Promise<SearchHit[]> {
    checkSearch(request, manifest);
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
    ...methods,
    textSearchConfig: config,
    upsert: (records, opts = {}) =>
      lifecycle.track(
        (async () => {
          checkUpsert(records, manifest, opts.signal); // a rejected batch stores nothing
          assertStorable(records);
          await init();
          await rows.upsert(records, undefined, {
            batchSize,
            signal: opts.signal,
            onProgress: opts.onProgress ?? options.onProgress,
          });
        })(),
      ),
    search: searchImpl,
    async *scan(opts = {}) {
      throwIfAborted(opts.signal, 'scan');
      await init();
      for await (const page of rows.scan(opts, '')) {
        yield page.map((row) => ({ id: row.id, text: row.text, metadata: row.metadata }));
      }
    },
  };
}
