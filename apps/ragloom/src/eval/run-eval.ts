import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import {
  type Document,
  isCjkChar,
  isRagloomError,
  RagloomError,
  type RetrieverRecord,
  type RetrieverV1,
} from '@ragloom/core';
import { writeFileAtomic } from '@ragloom/core/node';
import {
  type AnswerMetric,
  createReport,
  type EvalRunResult,
  evaluatePipeline,
  evaluateRetriever,
  loadBeirDataset,
  loadSquadDataset,
  type QaExample,
  writeReport,
} from '@ragloom/eval';
import type { LoadedConfig } from '../config/config-file.js';
import { requireWriter } from '../ingest/require-writer.js';
import { type OpenRuntimeOptions, openRuntime, type RagloomRuntime } from '../runtime/open-runtime.js';

export interface RunEvalOptions {
  /** A BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) or a SQuAD-format JSON file. */
  readonly dataset: string;
  /** Where report.json, report.md and report.html go. */
  readonly outDir: string;
  /** Evaluate only the first n queries / questions. */
  readonly limit?: number;
  /** BEIR: hits per query (default 100). */
  readonly k?: number;
  /** BEIR qrels split (default 'test'). */
  readonly split?: string;
  /** QA: how answers are scored (default: 'cmrc' for Chinese questions, else 'squad'). */
  readonly answerMetric?: AnswerMetric;
  readonly signal?: AbortSignal;
  /** Progress of each step: indexing the corpus, then running the queries. */
  readonly onProgress?: (step: string, completed: number, total?: number) => void;
  readonly runtime?: Pick<OpenRuntimeOptions, 'onProgress' | 'log'>;
}

export interface RunEvalResult {
  readonly kind: 'retrieval' | 'qa';
  readonly runs: EvalRunResult[];
  readonly reports: string[];
  /** Whether an index from an earlier run of the same data set and settings was reused. */
  readonly reusedIndex: boolean;
}

type DatasetKind = { kind: 'beir'; dir: string } | { kind: 'squad'; file: string };

function detectDataset(path: string): DatasetKind {
  const full = resolve(path);
  if (!existsSync(full)) throw new RagloomError('NOT_FOUND', `data set ${full} does not exist`);
  if (statSync(full).isDirectory()) {
    if (existsSync(join(full, 'corpus.jsonl')) && existsSync(join(full, 'queries.jsonl')))
      return { kind: 'beir', dir: full };
    const json = readdirSync(full).filter((f) => f.endsWith('.json'));
    if (json.length === 1) return { kind: 'squad', file: join(full, json[0]!) };
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `${full} is neither a BEIR folder (corpus.jsonl, queries.jsonl, qrels/) nor a folder with one SQuAD-format .json file`,
    );
  }
  if (full.endsWith('.json')) return { kind: 'squad', file: full };
  throw new RagloomError('INVALID_ARGUMENT', `${full}: expected a BEIR folder or a SQuAD-format .json file`);
}

/** A marker of what the eval index holds, so a second run on the same data and settings skips indexing. */
async function indexFingerprint(runtime: RagloomRuntime, files: readonly string[]): Promise<string> {
  const hash = createHash('sha256').update(runtime.settingsFingerprint);
  for (const f of files) {
    const info = statSync(f);
    hash.update(`${f}\0${info.size}\0${info.mtimeMs}\0`);
  }
  return hash.digest('hex');
}

async function indexIsCurrent(
  evalDir: string,
  fingerprint: string,
  runtime: RagloomRuntime,
): Promise<boolean> {
  const marker = join(evalDir, 'eval-index.json');
  if (!existsSync(marker)) return false;
  try {
    const saved = JSON.parse(await readFile(marker, 'utf8')) as { fingerprint?: string; records?: number };
    if (saved.fingerprint !== fingerprint) return false;
    for (const r of runtime.retrievers) if ((await r.retriever.count()) !== saved.records) return false;
    return true;
  } catch {
    return false;
  }
}

/** The whole configured pipeline (fusion, reranking) as a text retriever, so it is scored like one. */
function pipelineAsRetriever(runtime: RagloomRuntime, count: number): RetrieverV1 {
  const unsupported = async (): Promise<never> => {
    throw new RagloomError('UNSUPPORTED', 'the evaluated pipeline is read-only');
  };
  return {
    specificationVersion: 'v1',
    provider: 'ragloom-pipeline',
    manifest: { kind: 'sparse', analyzer: 'pipeline' },
    capabilities: { query: 'text', scan: false, persistent: false },
    upsert: unsupported,
    delete: unsupported,
    count: async () => count,
    async search(request) {
      const passages = await runtime.pipeline.retrieve(request.text ?? '', {
        k: request.k,
        signal: request.signal,
      });
      return passages.map((p) => ({ id: p.id, score: p.score, text: p.text, metadata: p.metadata }));
    },
  };
}

const isMostlyCjk = (examples: readonly QaExample[]) => {
  const sample = examples
    .slice(0, 50)
    .map((e) => e.question)
    .join('');
  const cjk = [...sample].filter(isCjkChar).length;
  return cjk > sample.length / 3;
};

/**
 * `ragloom eval`: builds a separate index of the data set with the configured components (under
 * `<dataDir>/eval/`, reused while data and settings are unchanged), runs @ragloom/eval on it — BEIR:
 * trec_eval-exact retrieval metrics per retriever and for the fused pipeline; SQuAD-format: the official
 * answer metrics plus context and faithfulness metrics — and writes JSON, Markdown and HTML reports.
 */
export async function runEval(loaded: LoadedConfig, options: RunEvalOptions): Promise<RunEvalResult> {
  const dataset = detectDataset(options.dataset);
  const source = dataset.kind === 'beir' ? dataset.dir : dataset.file;
  const slug = `${basename(source)
    .replace(/\.json$/, '')
    .replace(/[^\w.-]+/g, '_')}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}`;
  const evalDir = join(loaded.dataDir, 'eval', slug);
  const open = () =>
    openRuntime(
      { ...loaded, dataDir: evalDir },
      {
        ...options.runtime,
        generator: dataset.kind === 'squad',
        signal: options.signal,
        // The eval index is its own index set; a second eval of the same data waits for the first.
        access: 'write',
        lockWaitMs: 10 * 60_000,
      },
    );
  let runtime: RagloomRuntime;
  try {
    runtime = await open();
  } catch (error) {
    // The eval index is a cache of the data set: one built by other settings or an older format is rebuilt.
    if (
      !isRagloomError(error, 'MANIFEST_MISMATCH') &&
      !isRagloomError(error, 'INDEX_CORRUPT') &&
      !isRagloomError(error, 'INDEX_MISMATCH')
    )
      throw error;
    options.runtime?.log?.('warn', `rebuilding the eval index: ${error.message.split('\n')[0]}`);
    await rm(evalDir, { recursive: true, force: true });
    runtime = await open();
  }
  const progress = options.onProgress ?? (() => {});
  try {
    const runs: EvalRunResult[] = [];
    let reusedIndex = false;
    if (dataset.kind === 'beir') {
      const data = await loadBeirDataset(dataset.dir, { split: options.split, signal: options.signal });
      const files = [join(dataset.dir, 'corpus.jsonl')];
      const fingerprint = await indexFingerprint(runtime, files);
      reusedIndex = await indexIsCurrent(evalDir, fingerprint, runtime);
      if (!reusedIndex) {
        const dense = runtime.retrievers.some((r) => r.retriever.manifest.kind === 'dense');
        const batch = Math.min(64, runtime.encoder?.maxBatchSize ?? 64);
        // Built inside one commit of the eval index set: all retrievers get the whole corpus, or none.
        await requireWriter(runtime, 'eval').commit({
          signal: options.signal,
          apply: async (members) => {
            for (const m of members.values()) if ((await m.count()) > 0) await m.delete({ filter: {} });
            for (let i = 0; i < data.corpus.length; i += batch) {
              const docs = data.corpus.slice(i, i + batch);
              const texts = docs.map((d) => (d.title ? `${d.title}\n${d.text}` : d.text));
              const vectors = dense
                ? (await runtime.encoder!.embed({ texts, inputType: 'document', signal: options.signal }))
                    .embeddings
                : undefined;
              const records: RetrieverRecord[] = docs.map((d, j) => ({
                id: d.id,
                text: texts[j]!,
                metadata: { ...d.metadata, documentId: d.id },
                vector: vectors?.[j],
              }));
              for (const m of members.values()) {
                const isDense = m.manifest.kind === 'dense';
                await m.upsert(isDense ? records : records.map(({ vector: _v, ...rest }) => rest), {
                  signal: options.signal,
                });
              }
              progress('index', Math.min(i + batch, data.corpus.length), data.corpus.length);
            }
          },
        });
        await writeFileAtomic(
          join(evalDir, 'eval-index.json'),
          JSON.stringify({ dataset: source, fingerprint, records: data.corpus.length }),
        );
      }
      const queries = data.queries.slice(0, options.limit ?? data.queries.length);
      const qrels = new Map([...data.qrels].filter(([id]) => queries.some((q) => q.id === id)));
      const k = options.k ?? 100;
      const targets: { name: string; retriever: RetrieverV1 }[] = runtime.retrievers.map((r) => ({
        name: r.name,
        retriever: r.retriever,
      }));
      if (runtime.retrievers.length > 1 || runtime.reranker) {
        targets.push({ name: 'pipeline', retriever: pipelineAsRetriever(runtime, data.corpus.length) });
      }
      for (const target of targets) {
        runs.push(
          await evaluateRetriever({
            name: target.name,
            retriever: target.retriever,
            encoder: target.retriever.manifest.kind === 'dense' ? runtime.encoder : undefined,
            queries,
            qrels,
            k,
            signal: options.signal,
            onProgress: (e) => progress(`queries (${target.name})`, e.completed, e.total),
          }),
        );
      }
    } else {
      const all = await loadSquadDataset(dataset.file);
      const examples = all.slice(0, options.limit ?? all.length);
      const contexts = new Map<string, Document>();
      for (const e of all) {
        if (e.contextId === undefined || e.context === undefined || contexts.has(e.contextId)) continue;
        contexts.set(e.contextId, {
          id: e.contextId,
          text: e.context,
          metadata: { source: e.title ?? e.contextId, type: 'text' },
        });
      }
      const fingerprint = await indexFingerprint(runtime, [dataset.file]);
      reusedIndex = await indexIsCurrent(evalDir, fingerprint, runtime);
      if (!reusedIndex) {
        let chunks = 0;
        await requireWriter(runtime, 'eval').commit({
          signal: options.signal,
          apply: async (members) => {
            for (const m of members.values()) if ((await m.count()) > 0) await m.delete({ filter: {} });
            const pipeline = runtime.pipelineWith({
              retrievers: runtime.retrievers.map((r) => ({ ...r, retriever: members.get(r.name)! })),
            });
            const result = await pipeline.ingest([...contexts.values()], {
              signal: options.signal,
              onProgress: (e) => progress('index', e.documents, contexts.size),
            });
            chunks = result.chunks;
          },
        });
        await writeFileAtomic(
          join(evalDir, 'eval-index.json'),
          JSON.stringify({ dataset: source, fingerprint, records: chunks }),
        );
      }
      const answerMetric = options.answerMetric ?? (isMostlyCjk(examples) ? 'cmrc' : 'squad');
      runs.push(
        await evaluatePipeline({
          name: runtime.generator ? `rag (${runtime.generator.modelId})` : 'rag (extractive)',
          ask: (question, { signal }) =>
            runtime.pipeline.ask(question, { signal, generation: runtime.config.generation }),
          examples,
          answerMetric,
          signal: options.signal,
          onProgress: (e) => progress('questions', e.completed, e.total),
        }),
      );
    }
    const report = createReport(runs, { title: `ragloom eval: ${basename(source)}` });
    const reports = ['report.json', 'report.md', 'report.html'].map((f) => join(options.outDir, f));
    for (const path of reports) await writeReport(path, report);
    return { kind: dataset.kind === 'beir' ? 'retrieval' : 'qa', runs, reports, reusedIndex };
  } finally {
    await runtime.close();
  }
}
