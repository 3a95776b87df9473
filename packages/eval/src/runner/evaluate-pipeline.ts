import { performance } from 'node:perf_hooks';
import {
  isAbortError,
  mapWithConcurrency,
  type ProgressEvent,
  RagloomError,
  type TokenUsage,
  throwIfAborted,
} from '@ragloom/core';
import { cmrcExactMatch, cmrcF1, evaluateCmrc2018 } from '../qa/cmrc-metrics.js';
import { answerInText, evaluateNqOpen, nqOpenExactMatch } from '../qa/nq-open-metrics.js';
import type { QaExample } from '../qa/qa-types.js';
import { evaluateSquadV2, scoreSquadPrediction, toOfficialSquadOutput } from '../qa/squad-metrics.js';
import { type ContextMatchOptions, type ContextPassage, contextScores } from '../rag/context-metrics.js';
import {
  type AnswerRelevanceResult,
  type FaithfulnessResult,
  type JudgeOptions,
  judgeAnswerRelevance,
  judgeFaithfulness,
} from '../rag/llm-judge.js';
import { overlapAnswerRelevance, overlapFaithfulness } from '../rag/overlap-metrics.js';
import { latencyHistogram, summarizeLatency } from './latency.js';
import { openResultCache } from './result-cache.js';
import type { PipelineQuestionRecord, PipelineRunResult } from './run-types.js';

/** What a pipeline returns for a question; core's `pipeline.ask()` result fits as it is. */
export interface AskOutput {
  readonly answer: string;
  /** The passages the answer was generated from, best first. */
  readonly passages?: readonly {
    readonly id?: string;
    readonly documentId?: string;
    readonly text: string;
  }[];
  readonly usage?: TokenUsage;
  /** Cost of this call in USD, when the pipeline knows it (overrides `pricing`). */
  readonly costUsd?: number;
}

export type AskFunction = (
  question: string,
  context: { readonly signal?: AbortSignal; readonly example: QaExample },
) => Promise<AskOutput>;

export type AnswerMetric = 'squad' | 'cmrc' | 'nq-open';

export interface EvaluatePipelineOptions {
  readonly name?: string;
  /** The system under test, e.g. `(q, { signal }) => pipeline.ask(q, { signal })`. */
  readonly ask: AskFunction;
  readonly examples: Iterable<QaExample> | AsyncIterable<QaExample>;
  /** How answers are scored: official SQuAD v2 EM/F1 (default), CMRC 2018 EM/F1, or NQ-open EM. */
  readonly answerMetric?: AnswerMetric;
  /**
   * The gold passages of a question for context precision/recall. Default: the example's own passage
   * (`contextId` / `context`, as SQuAD-format loaders give it); questions without one are skipped.
   */
  readonly goldPassages?: (example: QaExample) => readonly ContextPassage[] | undefined;
  readonly contextMatch?: ContextMatchOptions['match'];
  /**
   * An LLM judge (any GeneratorV1) for faithfulness and answer relevance. Without one, the
   * deterministic token-overlap fallbacks are used and labelled as such in `methods`.
   */
  readonly judge?: JudgeOptions;
  /** Which judged metrics to compute (default both). */
  readonly judgedMetrics?: { readonly faithfulness?: boolean; readonly answerRelevance?: boolean };
  /** Token-overlap fallback: share of a sentence's content words that must occur in the contexts (default 0.5). */
  readonly overlapThreshold?: number;
  /** Prices to turn token usage into cost, in USD per million tokens. */
  readonly pricing?: { readonly promptPerMillionTokens: number; readonly completionPerMillionTokens: number };
  /** Questions in flight at once (default 2). */
  readonly concurrency?: number;
  readonly cacheFile?: string;
  readonly onProgress?: (event: ProgressEvent) => void;
  readonly signal?: AbortSignal;
}

const mean = (values: readonly number[]) =>
  values.length === 0 ? Number.NaN : values.reduce((a, b) => a + b, 0) / values.length;

function defaultGold(example: QaExample): ContextPassage[] | undefined {
  if (example.contextId === undefined && example.context === undefined) return undefined;
  return [
    {
      ...(example.contextId === undefined ? {} : { id: example.contextId }),
      ...(example.context === undefined ? {} : { text: example.context }),
    },
  ];
}

function costOf(output: AskOutput, pricing: EvaluatePipelineOptions['pricing']): number | undefined {
  if (output.costUsd !== undefined) return output.costUsd;
  if (pricing === undefined || output.usage === undefined) return undefined;
  return (
    (output.usage.promptTokens * pricing.promptPerMillionTokens +
      output.usage.completionTokens * pricing.completionPerMillionTokens) /
    1_000_000
  );
}

const sumUsage = (a: TokenUsage | undefined, b: TokenUsage | undefined): TokenUsage | undefined =>
  b === undefined
    ? a
    : {
        promptTokens: (a?.promptTokens ?? 0) + b.promptTokens,
        completionTokens: (a?.completionTokens ?? 0) + b.completionTokens,
        totalTokens: (a?.totalTokens ?? 0) + b.totalTokens,
      };

/**
 * Evaluates a whole RAG pipeline on a QA data set: asks every question (with concurrency, progress,
 * abort and a resumable cache), then scores answers with the official metric of the data set, the
 * retrieved passages against the gold passages, and faithfulness / answer relevance by LLM judge or
 * the labelled offline fallbacks. Also reports latency percentiles, token usage and cost.
 */
export async function evaluatePipeline(options: EvaluatePipelineOptions): Promise<PipelineRunResult> {
  if (typeof options.ask !== 'function')
    throw new RagloomError('INVALID_ARGUMENT', 'evaluatePipeline needs an `ask` function');
  const answerMetric = options.answerMetric ?? 'squad';
  if (!['squad', 'cmrc', 'nq-open'].includes(answerMetric)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `answerMetric must be 'squad', 'cmrc' or 'nq-open', got ${String(answerMetric)}`,
    );
  }
  const examples: QaExample[] = [];
  const seen = new Set<string>();
  for await (const example of options.examples) {
    if (
      typeof example?.id !== 'string' ||
      typeof example.question !== 'string' ||
      !Array.isArray(example.answers)
    ) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        'every example needs a string `id`, a `question` and an `answers` array',
      );
    }
    if (seen.has(example.id))
      throw new RagloomError('INVALID_ARGUMENT', `question id "${example.id}" appears twice`);
    seen.add(example.id);
    examples.push(example);
  }
  const wantFaithfulness = options.judgedMetrics?.faithfulness ?? true;
  const wantRelevance = options.judgedMetrics?.answerRelevance ?? true;
  const judgeMethod = options.judge ? 'llm-judge' : 'token-overlap';
  const config = {
    answerMetric,
    judge: options.judge ? options.judge.generator.modelId : null,
    faithfulness: wantFaithfulness,
    answerRelevance: wantRelevance,
    overlapThreshold: options.overlapThreshold ?? 0.5,
    contextMatch: options.contextMatch ?? 'auto',
  };
  const cache = options.cacheFile
    ? await openResultCache<PipelineQuestionRecord>(options.cacheFile, {
        kind: 'pipeline',
        ...config,
        questions: examples.length,
      })
    : undefined;
  const startedAt = new Date();
  const start = performance.now();
  const total = examples.length;
  let completed = 0;
  let resumed = 0;
  options.onProgress?.({ phase: 'ask', completed, total });

  const runOne = async (example: QaExample): Promise<PipelineQuestionRecord> => {
    const cached = cache?.entries.get(example.id);
    if (cached !== undefined) {
      resumed++;
      options.onProgress?.({
        phase: 'ask',
        completed: ++completed,
        total,
        message: `${example.id} (cached)`,
      });
      return cached;
    }
    throwIfAborted(options.signal, 'evaluation');
    const t0 = performance.now();
    const output = await options.ask(example.question, { signal: options.signal, example });
    const latencyMs = performance.now() - t0;
    if (typeof output?.answer !== 'string') {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        `ask() for question "${example.id}" must resolve to { answer: string, ... }`,
      );
    }
    const passages = (output.passages ?? []).map((p) => ({
      ...(p.id === undefined ? {} : { id: p.id }),
      ...(p.documentId === undefined ? {} : { documentId: p.documentId }),
      text: p.text,
    }));
    const metrics: Record<string, number> = {};
    if (answerMetric === 'squad') {
      const { exact, f1 } = scoreSquadPrediction(example.answers, output.answer);
      metrics.exact = exact;
      metrics.f1 = f1;
    } else if (answerMetric === 'cmrc' && example.answers.length > 0) {
      metrics.exact = cmrcExactMatch(example.answers, output.answer, example.id);
      metrics.f1 = cmrcF1(example.answers, output.answer, example.id);
    } else if (answerMetric === 'nq-open') {
      metrics.exact = nqOpenExactMatch(example.answers, output.answer) ? 1 : 0;
    }
    const gold = (options.goldPassages ?? defaultGold)(example);
    if (gold !== undefined && gold.length > 0 && example.answers.length > 0) {
      const scores = contextScores(passages, gold, { match: options.contextMatch ?? 'auto' });
      metrics.contextPrecision = scores.precision;
      metrics.contextRecall = scores.recall;
      metrics.contextAveragePrecision = scores.averagePrecision;
    }
    if (example.answers.length > 0) {
      metrics.answerInContext = answerInText(example.answers, passages.map((p) => p.text).join('\n')) ? 1 : 0;
    }
    const errors: string[] = [];
    let judgeUsage: TokenUsage | undefined;
    let faithfulness: FaithfulnessResult | undefined;
    let relevance: AnswerRelevanceResult | undefined;
    const contexts = passages.map((p) => p.text);
    const judged = async <T extends { usage?: TokenUsage }>(what: string, run: () => Promise<T>) => {
      try {
        const result = await run();
        judgeUsage = sumUsage(judgeUsage, result.usage);
        return result;
      } catch (error) {
        if (isAbortError(error)) throw error;
        errors.push(`${what}: ${(error as Error).message}`);
        return undefined;
      }
    };
    if (wantFaithfulness) {
      faithfulness = options.judge
        ? await judged('faithfulness', () =>
            judgeFaithfulness(
              { question: example.question, answer: output.answer, contexts },
              { ...options.judge!, signal: options.signal },
            ),
          )
        : overlapFaithfulness({ answer: output.answer, contexts }, { threshold: options.overlapThreshold });
      if (faithfulness) metrics.faithfulness = faithfulness.score;
    }
    if (wantRelevance) {
      relevance = options.judge
        ? await judged('answer relevance', () =>
            judgeAnswerRelevance(
              { question: example.question, answer: output.answer },
              { ...options.judge!, signal: options.signal },
            ),
          )
        : overlapAnswerRelevance({ question: example.question, answer: output.answer });
      if (relevance) metrics.answerRelevance = relevance.score;
    }
    const cost = costOf(output, options.pricing);
    const record: PipelineQuestionRecord = {
      id: example.id,
      question: example.question,
      answer: output.answer,
      goldAnswers: example.answers,
      passages,
      latencyMs,
      ...(output.usage ? { usage: output.usage } : {}),
      ...(cost === undefined ? {} : { costUsd: cost }),
      metrics,
      ...(faithfulness
        ? {
            faithfulness: {
              method: faithfulness.method,
              sentences: faithfulness.sentences.map((s) => ({
                text: s.text,
                supported: s.supported,
                ...(s.reason ? { reason: s.reason } : {}),
              })),
            },
          }
        : {}),
      ...(relevance
        ? {
            answerRelevance: {
              method: relevance.method,
              ...(relevance.rating === undefined ? {} : { rating: relevance.rating }),
              ...(relevance.reason === undefined ? {} : { reason: relevance.reason }),
            },
          }
        : {}),
      ...(errors.length > 0 ? { errors } : {}),
      ...(judgeUsage ? { judgeUsage } : {}),
    };
    await cache?.put(example.id, record);
    options.onProgress?.({ phase: 'ask', completed: ++completed, total, message: example.id });
    return record;
  };

  const records = await mapWithConcurrency(examples, options.concurrency ?? 2, runOne, options.signal);

  // Answer scores aggregate exactly as the official scripts do.
  const predictions = new Map(records.map((r) => [r.id, r.answer]));
  const aggregate: Record<string, number> = {};
  const measures: string[] = [];
  const put = (name: string, value: number) => {
    if (Number.isNaN(value)) return;
    aggregate[name] = value;
    measures.push(name);
  };
  let official: Record<string, number | string> | undefined;
  if (answerMetric === 'squad') {
    const squad = evaluateSquadV2(examples, predictions);
    put('exact', squad.exact / 100);
    put('f1', squad.f1 / 100);
    if (squad.hasAns && squad.noAns) {
      put('hasAns.exact', squad.hasAns.exact / 100);
      put('hasAns.f1', squad.hasAns.f1 / 100);
      put('noAns.exact', squad.noAns.exact / 100);
      put('noAns.f1', squad.noAns.f1 / 100);
    }
    official = toOfficialSquadOutput(squad);
  } else if (answerMetric === 'cmrc') {
    const answerable = examples.filter((e) => e.answers.length > 0);
    const cmrc = evaluateCmrc2018(answerable, predictions);
    put('exact', cmrc.em / 100);
    put('f1', cmrc.f1 / 100);
    official = { AVERAGE: cmrc.average, F1: cmrc.f1, EM: cmrc.em, TOTAL: cmrc.total, SKIP: cmrc.skipped };
  } else {
    const nq = evaluateNqOpen(examples, predictions);
    put('exact', nq.exactMatch / 100);
    official = { exact_match: nq.exactMatch, total: nq.total };
  }
  for (const name of [
    'contextPrecision',
    'contextRecall',
    'contextAveragePrecision',
    'answerInContext',
    'faithfulness',
    'answerRelevance',
  ]) {
    put(name, mean(records.flatMap((r) => (r.metrics[name] === undefined ? [] : [r.metrics[name]!]))));
  }
  const methods: Record<string, string> = {};
  if (wantFaithfulness) methods.faithfulness = judgeMethod;
  if (wantRelevance) methods.answerRelevance = judgeMethod;
  const usage = records.reduce<TokenUsage | undefined>((u, r) => sumUsage(u, r.usage), undefined);
  const judgeTokens = records.reduce((n, r) => n + (r.judgeUsage?.totalTokens ?? 0), 0);
  const costs = records.flatMap((r) => (r.costUsd === undefined ? [] : [r.costUsd]));
  const latencies = records.map((r) => r.latencyMs);
  return {
    kind: 'pipeline',
    name: options.name ?? 'pipeline',
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - start,
    config: { ...config, official },
    measures,
    aggregate,
    methods,
    evaluatedQueries: records.length,
    latency: summarizeLatency(latencies),
    latencyHistogram: latencyHistogram(latencies),
    usage: {
      promptTokens: usage?.promptTokens ?? 0,
      completionTokens: usage?.completionTokens ?? 0,
      totalTokens: usage?.totalTokens ?? 0,
      judgeTokens,
      ...(costs.length > 0 ? { costUsd: costs.reduce((a, b) => a + b, 0) } : {}),
    },
    judgeFailures: records.filter((r) => (r.errors?.length ?? 0) > 0).length,
    resumedQueries: resumed,
    queries: records,
  };
}
