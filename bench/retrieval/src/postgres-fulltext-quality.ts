import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { fixed, printTable } from '@ragloom/bench-utils';
import { createPgFullTextRetriever } from '@ragloom/retriever-pgvector';
import pg from 'pg';
import { type BeirDataset, titleAndText } from './beir-dataset.js';
import { evaluateBm25 } from './bm25-quality.js';
import { type QualityScores, runQueries, scoreRun } from './retrieval-run.js';

/**
 * Postgres full-text search (@ragloom/retriever-pgvector's full-text retriever: tsvector, ts_rank) beside
 * @ragloom/retriever-bm25 on BEIR SciFact, same documents (title + text), same 300 test queries, top 100.
 * The database is PGlite (Postgres 18 in WebAssembly) served by pglite-socket, or DATABASE_URL when set:
 * the ranking is Postgres's own either way, so the figures do not depend on which.
 */
export async function runPostgresFullTextQuality(data: BeirDataset): Promise<void> {
  const url = process.env.DATABASE_URL;
  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let connectionString = url;
  if (!connectionString) {
    db = await PGlite.create();
    server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0 });
    await server.start();
    connectionString = `postgresql://postgres@${server.getServerConn()}/postgres?sslmode=disable`;
  }
  // pglite-socket serves one connection: one pg.Client, which the retrievers share.
  const client = new pg.Client({ connectionString });
  await client.connect();
  const documents = data.corpus.map((d) => ({ id: d.id, text: titleAndText(d) }));
  const postgres = async (textSearchConfig: string, rankNormalization: number): Promise<QualityScores> => {
    const retriever = createPgFullTextRetriever({
      client,
      table: `scifact_${textSearchConfig}_${rankNormalization}`,
      textSearchConfig,
      rankNormalization,
    });
    await retriever.dropTable();
    await retriever.upsert(documents);
    const scores = scoreRun(data, await runQueries(data, (text) => retriever.search({ text, k: 100 })));
    await retriever.dropTable();
    return scores;
  };
  try {
    const bm25 = await evaluateBm25(data, { analyzer: 'english', preset: 'anserini' });
    const rows: [string, QualityScores][] = [['@ragloom/retriever-bm25, english, k1 0.9 b 0.4', bm25]];
    for (const normalization of [0, 1, 2, 32]) {
      rows.push([
        `Postgres full-text, english, ts_rank normalization ${normalization}`,
        await postgres('english', normalization),
      ]);
    }
    rows.push(['Postgres full-text, simple (no stemming), normalization 1', await postgres('simple', 1)]);
    printTable(
      `Postgres full-text search beside BM25 on BEIR SciFact: ${data.corpus.length} docs, ${data.queries.size} test queries (${url ? 'DATABASE_URL' : 'PGlite'})`,
      ['system', 'nDCG@10', 'Recall@100', 'MRR@10', 'nDCG@10 vs BM25'],
      rows.map(([name, s]) => [
        name,
        fixed(s.ndcg10),
        fixed(s.recall100),
        fixed(s.mrr10),
        fixed(s.ndcg10 / bm25.ndcg10, 3),
      ]),
    );
  } finally {
    await client.end();
    await server?.stop();
    await db?.close();
  }
}
