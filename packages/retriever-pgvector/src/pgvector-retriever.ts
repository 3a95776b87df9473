import {
  compareHits,
  type DenseIndexManifest,
  type Filter,
  type Metric,
  RagloomError,
  type RetrieverRecord,
  type SearchHit,
  throwIfAborted,
} from '@ragloom/core';
import { type ConnectedRetriever, checkSearch, checkUpsert, parseOptions } from '@ragloom/core/adapter';
import type { LocalSettings, PgQueryable } from './pg-connection.js';
import {
  type PgUpsertOptions,
  type PgvectorRetrieverOptions,
  type PgvectorSearchRequest,
  pgEfSearch,
  pgvectorRetrieverOptions,
} from './pgvector-options.js';
import { ensureSchema, type MigrationStep, tableStep } from './schema-migrations.js';
import { filterSql, SqlParams } from './sql-filter.js';
import type { TableNames } from './sql-identifiers.js';
import { assertStorable, parseVectorText, vectorText } from './stored-record.js';
import { type IndexTableMethods, setUpIndexTable } from './table-retriever.js';

/** A ragloom Retriever on a Postgres table with a pgvector column and an HNSW index. */
export interface PgvectorRetriever
  extends ConnectedRetriever<PgvectorSearchRequest, PgUpsertOptions>,
    IndexTableMethods {
  readonly manifest: DenseIndexManifest;
}

const OPERATOR: Record<Metric, string> = { cosine: '<=>', dot: '<#>', l2: '<->' };
const OPCLASS: Record<Metric, string> = { cosine: 'cosine_ops', dot: 'ip_ops', l2: 'l2_ops' };
/** pgvector's limit on hnsw.ef_search. */
const MAX_EF_SEARCH = 1000;

/** A search's own `efSearch`: the option's declaration, but a bad value is a bad request (INVALID_ARGUMENT). */
function searchEf(value: unknown): number {
  const result = pgEfSearch['~standard'].validate(value);
  if ('value' in result) return result.value;
  throw new RagloomError('INVALID_ARGUMENT', `efSearch: ${result.issues[0]?.message}`, {
    details: { option: 'efSearch', value },
  });
}

/** A ragloom score from pgvector's distance: cosine 1 − d, dot −(−⟨a,b⟩), l2 −d². */
function scoreOf(metric: Metric, distance: number): number {
  if (metric === 'cosine') return Number.isNaN(distance) ? 0 : 1 - distance; // NaN: a zero vector, like core
  if (metric === 'dot') return -distance;
  return -(distance * distance);
}

/** Changes settings inside the open transaction (as SET LOCAL), for a further pass of a search. */
async function reconfigure(session: PgQueryable, settings: LocalSettings): Promise<void> {
  const entries = Object.entries(settings);
  await session.query(
    `SELECT ${entries.map((_, i) => `set_config($${2 * i + 1}, $${2 * i + 2}, true)`).join(', ')}`,
    entries.flatMap(([name, value]) => [name, String(value)]),
  );
}

/** major.minor.patch of an extversion such as 0.8.0, comparable as a number. */
function versionNumber(version: string): number {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((p) => Number.parseInt(p, 10) || 0);
  return major * 10_000 + minor * 100 + patch;
}

function denseSteps(
  names: TableNames,
  manifest: DenseIndexManifest,
  type: 'vector' | 'halfvec',
  m: number,
  ef: number,
): MigrationStep[] {
  return [
    tableStep(names),
    {
      id: 'dense:1',
      statements: [
        `ALTER TABLE ${names.qualified} ADD COLUMN IF NOT EXISTS embedding ${type}(${manifest.dimension})`,
        `CREATE INDEX IF NOT EXISTS ${names.derived('hnsw')} ON ${names.qualified}
         USING hnsw (embedding ${type}_${OPCLASS[manifest.metric]}) WITH (m = ${m}, ef_construction = ${ef})`,
      ],
    },
  ];
}

/**
 * Creates a Retriever on a Postgres table with pgvector. Nothing is sent until the first call (or
 * `init()`); then pending migrations run once (under an advisory lock, so concurrent openers are safe)
 * and the stored manifest is checked (MANIFEST_MISMATCH on any difference).
 *
 * ```ts
 * const retriever = createPgvectorRetriever({
 *   connectionString: process.env.DATABASE_URL, table: 'docs',
 *   encoderModelId: encoder.modelId, dimension: encoder.dimension, metric: 'cosine',
 * });
 * ```
 */
export function createPgvectorRetriever(input: PgvectorRetrieverOptions): PgvectorRetriever {
  const options = parseOptions(pgvectorRetrieverOptions, input, { component: 'createPgvectorRetriever' });
  const { encoderModelId, dimension, metric, vectorType, efSearch, batchSize, iterativeScan } = options;
  const { namespace } = options;
  const { m } = options.hnsw;
  const efConstruction = options.hnsw.efConstruction ?? Math.max(64, 2 * m);
  const manifest: DenseIndexManifest = { kind: 'dense', encoderModelId, dimension, metric };
  const operator = OPERATOR[metric];
  const vectorCast = `::${vectorType}(${dimension})`;

  const { names, executor, rows, lifecycle, methods } = setUpIndexTable(
    options,
    'pgvector',
    async ({ names, executor }) => {
      await ensureSchema(executor, {
        names,
        kind: 'dense',
        manifest,
        settings: { vectorType },
        steps: denseSteps(names, manifest, vectorType, m, efConstruction),
        extension: 'vector',
        createExtension: options.createExtension,
        createTable: options.createTable,
      });
      const { rows: ext } = await executor.query(
        'check pgvector',
        "SELECT extversion FROM pg_extension WHERE extname = 'vector'",
      );
      const version = versionNumber(String(ext[0]?.extversion ?? '0'));
      if (version < versionNumber('0.5.0')) {
        throw new RagloomError(
          'UNSUPPORTED',
          `pgvector ${String(ext[0]?.extversion)} has no HNSW index; 0.5.0 or newer is needed (0.8.0 for complete filtered search through the index)`,
        );
      }
      return { iterative: version >= versionNumber('0.8.0') && iterativeScan !== 'off' };
    },
    'embedding IS NOT NULL', // rows written only through full-text search have no vector
  );
  const init = lifecycle.ready;

  async function upsertImpl(records: readonly RetrieverRecord[], opts: PgUpsertOptions = {}): Promise<void> {
    const { vectors } = checkUpsert(records, manifest, opts.signal); // a rejected batch stores nothing
    assertStorable(records);
    await init();
    await rows.upsert(
      records,
      {
        embedding: {
          arrayType: 'text[]',
          cast: `${vectorType}(${dimension})`,
          values: vectors!.map(vectorText),
        },
      },
      { batchSize, signal: opts.signal, onProgress: opts.onProgress ?? options.onProgress },
    );
  }

  /** One ordered read of at most `limit` rows: through the HNSW index, or exact when `exact`. */
  async function nearest(
    session: PgQueryable,
    query: string,
    filter: Filter | undefined,
    limit: number,
  ): Promise<{ id: string; text: string; metadata: SearchHit['metadata']; distance: number }[]> {
    const params = new SqlParams();
    const q = `${params.add(query)}${vectorCast}`;
    const ns = params.add(namespace);
    const f = filterSql(filter, params);
    const { rows: found } = await session.query(
      `SELECT id, text, metadata, embedding ${operator} ${q} AS distance FROM ${names.qualified}
       WHERE namespace = ${ns} AND embedding IS NOT NULL${f === 'TRUE' ? '' : ` AND ${f}`}
       ORDER BY embedding ${operator} ${q} LIMIT ${params.add(limit)}`,
      params.values,
    );
    return found;
  }

  async function searchImpl(request: PgvectorSearchRequest): Promise<SearchHit[]> {
    const vector = checkSearch(request, manifest)!;
    filterSql(request.filter, new SqlParams()); // invalid filters fail before any connection is used
    const requestedEf = request.efSearch === undefined ? efSearch : searchEf(request.efSearch);
    const { iterative } = await init();
    const query = vectorText(vector);
    const k = request.k;
    const firstExact = request.exact === true;
    /** The planner and pgvector settings of one pass (values computed here, so they may be sent as text). */
    const settingsFor = (exact: boolean, limit: number): LocalSettings => ({
      'hnsw.ef_search': Math.min(MAX_EF_SEARCH, Math.max(requestedEf, limit)),
      enable_indexscan: exact ? 'off' : 'on',
      enable_sort: exact ? 'on' : 'off',
      ...(iterative ? { 'hnsw.iterative_scan': iterativeScan } : {}),
    });
    return executor.transaction(
      'search',
      async (session) => {
        // Two plans, chosen here rather than by the planner, whose guess at a jsonb filter's selectivity is
        // a constant: first through the HNSW index (sorts off, so only the index can give the order; pgvector 0.8's
        // iterative scan goes on until `limit` rows pass the filter), and exact search — index scans off,
        // so a sequential scan or the metadata GIN index feeds a sort — when asked, or as soon as the index
        // pass comes back short: then the filter (or the index's reach, hnsw.max_scan_tuples) left fewer
        // than `limit` rows, and scoring every allowed row is the complete answer, cheap precisely because
        // the filter is selective.
        // Equal scores are ordered by id: ask for one more than k; when that one ties with the k-th,
        // the tie crosses the cut, so ask again with a larger limit until the tie group is complete.
        // The first pass's settings came with the BEGIN; a further pass sets them again.
        let exact = firstExact;
        let limit = k + 1;
        for (;;) {
          const found = await nearest(session, query, request.filter, limit);
          if (found.length < limit && !exact) {
            exact = true;
            await reconfigure(session, settingsFor(exact, limit));
            continue;
          }
          const crossing = found.length === limit && found[k - 1]!.distance === found[limit - 1]!.distance;
          if (crossing) {
            limit *= 2;
            await reconfigure(session, settingsFor(exact, limit));
            continue;
          }
          const hits: SearchHit[] = found.map((row) => ({
            id: row.id,
            text: row.text,
            metadata: row.metadata,
            score: scoreOf(metric, row.distance),
          }));
          hits.sort(compareHits);
          return hits.slice(0, k);
        }
      },
      request.signal,
      settingsFor(firstExact, k + 1),
    );
  }

  async function* scanImpl(
    opts: { batchSize?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<RetrieverRecord[]> {
    throwIfAborted(opts.signal, 'scan');
    await init();
    for await (const page of rows.scan(opts, 'embedding::text AS embedding_text', 'embedding IS NOT NULL')) {
      yield page.map((row) => ({
        id: row.id,
        text: row.text,
        metadata: row.metadata,
        vector: parseVectorText(String(row.embedding_text)),
      }));
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'pgvector',
    manifest,
    capabilities: { query: 'vector', scan: true, persistent: true },
    ...methods,
    upsert: (records, opts) => lifecycle.track(upsertImpl(records, opts)),
    search: searchImpl,
    scan: scanImpl,
  };
}
