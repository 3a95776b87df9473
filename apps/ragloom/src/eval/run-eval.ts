import { createHash } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { type Document, isCjkChar, isRagloomError, RagloomError, type RetrieverRecord } from '@ragloom/core';
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
  type SearchFunction,
  writeReport,
} from '@ragloom/eval';
import type { LoadedConfig } from '../config/config-file.js';
import { requireWriter } from '../ingest/require-writer.js';
import { generationFor } from '../runtime/answer-stream.js';
import { type OpenRuntimeOptions, openRuntime, type RagloomRuntime } from '../runtime/open-runtime.js';

export interface RunEvalOptions {
  /** A BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) or a SQuAD-format JSON file. */
  readonly dataset: string;
  /** Where report.json, report.md and report.html go. */
  readonly outDir: string;
  /** Evaluate only the first n queries / questions (after `questions`, when both are given). */
  readonly limit?: number;
  /**
   * Evaluate only questions / queries `from`–`to` (1-based, inclusive, in file order; `to` open-ended
   * when absent). The whole data set is still indexed, so the other questions' passages compete.
   */
  readonly questions?: QuestionRange;
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
  /** Things the user should look at, e.g. a retriever of a hybrid that scores far below another. */
  readonly warnings: string[];
}

/** Questions `from`–`to`, 1-based and inclusive; `to` absent means "to the end". */
export interface QuestionRange {
  readonly from: number;
  readonly to?: number;
}

/** `1-4000`, `4001-` or `17`: a range of question numbers (1-based, inclusive). */
export function parseQuestionRange(text: string): QuestionRange {
  const m = /^\s*(\d+)\s*(?:(-)\s*(\d+)?)?\s*$/.exec(text);
  const from = m ? Number(m[1]) : Number.NaN;
  const to = m?.[3] !== undefined ? Number(m[3]) : m?.[2] ? undefined : from;
  if (!m || from < 1 || (to !== undefined && to < from)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `question range must look like 1-4000, 4001- or 17 (1-based, from ≤ to), got "${text}"`,
    );
  }
  return to === undefined ? { from } : { from, to };
}

function selectQuestions<T>(items: readonly T[], options: Pick<RunEvalOptions, 'questions' | 'limit'>): T[] {
  const range = options.questions ?? { from: 1 };
  const selected = items.slice(range.from - 1, range.to);
  return selected.slice(0, options.limit ?? selected.length);
}

/** A hybrid's retriever scoring below this share of the best one's nDCG@10 drags the fusion down. */
const WEAK_RETRIEVER_SHARE = 0.5;

/** Warns about a retriever of a hybrid that scores far below another: fused with it, the result is worse. */
export function weakRetrieverWarnings(runs: readonly EvalRunResult[], names: readonly string[]): string[] {
  const scored = runs
    .filter((r) => names.includes(r.name) && r.kind === 'retrieval')
    .map((r) => ({ name: r.name, value: r.aggregate['ndcg@10'] }))
    .filter((r): r is { name: string; value: number } => r.value !== undefined && Number.isFinite(r.value));
  if (scored.length < 2) return [];
  const best = scored.reduce((a, b) => (b.value > a.value ? b : a));
  return scored
    .filter((r) => r !== best && r.value < WEAK_RETRIEVER_SHARE * best.value)
    .map(
      (r) =>
        `retriever "${r.name}" scores nDCG@10 ${r.value.toFixed(4)}, under half of "${best.name}" (${best.value.toFixed(4)}); ` +
        `fusing it may lower the pipeline's score — check its encoder/model, give it a lower "weight", or leave it out`,
    );
}

/** The answer metric of a data set: SQuAD v1.1 files say so in `version`, Chinese questions mean CMRC. */
async function detectAnswerMetric(file: string, examples: readonly QaExample[]): Promise<AnswerMetric> {
  if (isMostlyCjk(examples)) return 'cmrc';
  const head = (await readFile(file, 'utf8')).slice(0, 4096);
  const version = /"version"\s*:\s*"v?(\d+)\./.exec(head)?.[1];
  return version === '1' ? 'squad-v1' : 'squad';
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

/** The whole configured pipeline (embedding, fusion, reranking) as a search function, scored like a retriever. */
function pipelineSearch(runtime: RagloomRuntime): SearchFunction {
  return async (text, { k, signal }) => {
    const { passages, embeddingTokens } = await runtime.pipeline.retrieveWithUsage(text, { k, signal });
    return {
      hits: passages.map((p) => ({ id: p.id, score: p.score })),
      ...(embeddingTokens === undefined ? {} : { embeddingTokens }),
    };
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
    const warnings: string[] = [];
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
      const queries = selectQuestions(data.queries, options);
      const qrels = new Map([...data.qrels].filter(([id]) => queries.some((q) => q.id === id)));
      const k = options.k ?? 100;
      for (const r of runtime.retrievers) {
        runs.push(
          await evaluateRetriever({
            name: r.name,
            retriever: r.retriever,
            encoder: r.retriever.manifest.kind === 'dense' ? runtime.encoder : undefined,
            queries,
            qrels,
            k,
            signal: options.signal,
            onProgress: (e) => progress(`queries (${r.name})`, e.completed, e.total),
          }),
        );
      }
      if (runtime.retrievers.length > 1 || runtime.reranker) {
        runs.push(
          await evaluateRetriever({
            name: 'pipeline',
            search: pipelineSearch(runtime),
            queries,
            qrels,
            k,
            signal: options.signal,
            onProgress: (e) => progress('queries (pipeline)', e.completed, e.total),
          }),
        );
      }
      warnings.push(
        ...weakRetrieverWarnings(
          runs,
          runtime.retrievers.map((r) => r.name),
        ),
      );
    } else {
      const all = await loadSquadDataset(dataset.file);
      const examples = selectQuestions(all, options);
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
      const answerMetric = options.answerMetric ?? (await detectAnswerMetric(dataset.file, examples));
      runs.push(
        await evaluatePipeline({
          name: runtime.generator ? `rag (${runtime.generator.modelId})` : 'rag (extractive)',
          ask: (question, { signal }) =>
            runtime.pipeline.ask(question, { signal, generation: generationFor(runtime) }),
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
    return { kind: dataset.kind === 'beir' ? 'retrieval' : 'qa', runs, reports, reusedIndex, warnings };
  } finally {
    await runtime.close();
  }
}
