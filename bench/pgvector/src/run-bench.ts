import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { loadSynthetic, SYNTHETIC_100K } from '@ragloom/bench-hnsw/datasets';
import { benchArgs, fixed, printTable } from '@ragloom/bench-utils';
import type { RetrieverRecord, RetrieverV1 } from '@ragloom/core';
import { createHnswRetriever } from '@ragloom/retriever-hnsw';
import { createPgvectorRetriever } from '@ragloom/retriever-pgvector';
import pg from 'pg';

// @ragloom/retriever-pgvector beside @ragloom/retriever-hnsw on bench/hnsw's seeded synthetic set
// (clustered unit vectors like sentence embeddings, exact ground truth cached in bench/.data/): the same
// HNSW parameters on both sides, upserts in the same batches, the same queries one at a time.
//
// The Postgres side is PGlite (Postgres 18 + pgvector 0.8 compiled to WebAssembly, one backend, one
// connection through pglite-socket) unless DATABASE_URL points at a real server. PGlite runs pgvector's C
// code as WebAssembly on one thread, so its absolute figures are far below a native server's: the point is
// the ratio to the in-process index and how it scales with size.
//
//   node dist/run-bench.js [--base 100000] [--queries 1000] [--dim 384] [--m 16] [--ef-construction 64]
//                          [--ef 40,100] [--batch 1000]
const args = benchArgs();
const baseCount = args.number('base', SYNTHETIC_100K.baseCount);
const queryCount = args.number('queries', SYNTHETIC_100K.queryCount);
const dimension = args.number('dim', SYNTHETIC_100K.dimension);
const m = args.number('m', 16);
const efConstruction = args.number('ef-construction', 64);
const efs = args
  .string('ef', '40,100')
  .split(',')
  .map(Number)
  .filter((n) => n > 0);
const batch = args.number('batch', 1000);
const k = 10;
const log = (line: string) => console.log(line);

const data = loadSynthetic({ ...SYNTHETIC_100K, baseCount, queryCount, dimension }, log);
const ENCODER = 'bench/synthetic';
const recordAt = (i: number): RetrieverRecord => ({
  id: String(i),
  text: '',
  vector: data.base.subarray(i * dimension, (i + 1) * dimension),
});
const queryAt = (q: number) => data.queries.subarray(q * dimension, (q + 1) * dimension);

interface SideResult {
  readonly ingestSeconds: number;
  readonly byEf: Map<number, { qps: number; recall: number }>;
}

async function measure(
  name: string,
  retriever: RetrieverV1,
  search: (query: Float32Array, ef: number) => Promise<{ id: string }[]>,
): Promise<SideResult> {
  const started = performance.now();
  for (let start = 0; start < baseCount; start += batch) {
    const records: RetrieverRecord[] = [];
    for (let i = start; i < Math.min(baseCount, start + batch); i++) records.push(recordAt(i));
    await retriever.upsert(records);
    if ((start / batch) % 10 === 0)
      log(`  ${name}: ${Math.min(baseCount, start + batch)}/${baseCount} upserted`);
  }
  const ingestSeconds = (performance.now() - started) / 1000;
  const byEf = new Map<number, { qps: number; recall: number }>();
  for (const ef of efs) {
    await search(queryAt(0), ef); // warm up
    let hits = 0;
    const t0 = performance.now();
    for (let q = 0; q < queryCount; q++) {
      const found = await search(queryAt(q), ef);
      const truth = new Set<number>();
      for (let j = 0; j < k; j++) truth.add(data.groundTruth[q * data.gtK + j]!);
      hits += found.filter((h) => truth.has(Number(h.id))).length;
    }
    const seconds = (performance.now() - t0) / 1000;
    byEf.set(ef, { qps: queryCount / seconds, recall: hits / (queryCount * k) });
    log(
      `  ${name}: ef ${ef}: ${(queryCount / seconds).toFixed(0)} QPS, recall@10 ${(hits / (queryCount * k)).toFixed(3)}`,
    );
  }
  return { ingestSeconds, byEf };
}

async function postgresSide(): Promise<{ result: SideResult; where: string }> {
  const url = process.env.DATABASE_URL;
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let connectionString = url;
  if (!connectionString) {
    db = await PGlite.create({ extensions: { vector } });
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    connectionString = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  }
  // PGlite serves one connection: one pg.Client. A real server gets a pool.
  const client = url ? undefined : new pg.Client({ connectionString });
  await client?.connect();
  const retriever = createPgvectorRetriever({
    ...(client ? { client } : { connectionString }),
    table: `bench_${baseCount}x${dimension}`,
    encoderModelId: ENCODER,
    dimension,
    metric: 'cosine',
    hnsw: { m, efConstruction },
    batchSize: 500,
  });
  try {
    await retriever.dropTable();
    const result = await measure('pgvector', retriever, (query, ef) =>
      retriever.search({ vector: query, k, efSearch: ef }),
    );
    await retriever.dropTable();
    return { result, where: url ? 'DATABASE_URL' : 'PGlite (WebAssembly, one connection)' };
  } finally {
    await retriever.close();
    await client?.end();
    await server?.stop();
    await db?.close();
  }
}

log(
  `${baseCount} × ${dimension}, ${queryCount} queries, M ${m}, efConstruction ${efConstruction}, upsert batches of ${batch}`,
);
const hnsw = createHnswRetriever({
  encoderModelId: ENCODER,
  dimension,
  metric: 'cosine',
  M: m,
  efConstruction,
});
const local = await measure('hnsw', hnsw, (query, ef) => hnsw.search({ vector: query, k, ef }));
const { result: postgres, where } = await postgresSide();

const rows: string[][] = [
  [
    'ingest (records/s)',
    fixed(baseCount / local.ingestSeconds, 0),
    fixed(baseCount / postgres.ingestSeconds, 0),
    fixed(local.ingestSeconds / postgres.ingestSeconds, 3),
  ],
];
for (const ef of efs) {
  const a = local.byEf.get(ef)!;
  const b = postgres.byEf.get(ef)!;
  rows.push([`ef ${ef}: QPS`, fixed(a.qps, 0), fixed(b.qps, 0), fixed(b.qps / a.qps, 3)]);
  rows.push([`ef ${ef}: recall@10`, fixed(a.recall, 3), fixed(b.recall, 3), '']);
}
printTable(
  `pgvector (${where}) beside @ragloom/retriever-hnsw (in process): ${baseCount} × ${dimension} synthetic, ${queryCount} queries one at a time, M ${m}, efConstruction ${efConstruction}`,
  ['measure', 'retriever-hnsw', 'retriever-pgvector', 'pgvector / hnsw'],
  rows,
);
