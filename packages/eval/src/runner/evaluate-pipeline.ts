import { performance } from 'node:perf_hooks';
import {
  isAbortError,
  isRagloomError,
  mapWithConcurrency,
  type ProgressEvent,
  RagloomError,
  stripCitations,
  type TokenUsage,
  throwIfAborted,
} from '@ragloom/core';
import type { QaExample } from '../qa/qa-types.js';
import { type ContextMatchOptions, type ContextPassage, contextScores } from '../rag/context-metrics.js';
import {
  type AnswerRelevanceResult,
  type FaithfulnessResult,
  type JudgeOptions,
  judgeAnswerRelevance,
  judgeFaithfulness,
} from '../rag/llm-judge.js';
import { overlapAnswerRelevance, overlapFaithfulness } from '../rag/overlap-metrics.js';
import { ANSWER_METRIC_NAMES, ANSWER_METRICS, type AnswerMetric, answerLength } from './answer-metrics.js';
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
  /** Tokens of the generator (prompt and completion). */
  readonly usage?: TokenUsage;
  /** Tokens the pipeline's encoder embedded for this question. */
  readonly embeddingTokens?: number;
  /**
   * 'declined' when the pipeline said the documents do not answer the question: scored as the empty
   * prediction, SQuAD 2.0's "no answer". Default 'answered'.
   */
  readonly outcome?: 'answered' | 'declined';
  /** Cost of this call in USD, when the pipeline knows it (overrides `pricing`). */
  readonly costUsd?: number;
}

export type AskFunction = (
  question: string,
  context: { readonly signal?: AbortSignal; readonly example: QaExample },
) => Promise<AskOutput>;

export interface EvaluatePipelineOptions {
  readonly name?: string;
  /** The system under test, e.g. `(q, { signal }) => pipeline.ask(q, { signal })`. */
  readonly ask: AskFunction;
  readonly examples: Iterable<QaExample> | AsyncIterable<QaExample>;
  /**
   * How answers are scored: official SQuAD v2.0 EM/F1 (default), SQuAD v1.1 EM/F1, CMRC 2018 EM/F1, or
   * NQ-open EM. Citation markers (`[1]`) are removed from answers before scoring.
   */
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

/** What an answer is scored as: the answer without citation markers, or '' (no answer) when declined. */
const predictionOf = (output: { readonly answer: string; readonly outcome?: 'answered' | 'declined' }) =>
  output.outcome === 'declined' ? '' : stripCitations(output.answer);

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
  if (!Object.hasOwn(ANSWER_METRICS, answerMetric)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `answerMetric must be one of ${ANSWER_METRIC_NAMES.map((n) => `'${n}'`).join(', ')}, got ${String(answerMetric)}`,
    );
  }
  const metric = ANSWER_METRICS[answerMetric];
  const lengthMeasure = metric.lengthUnit === 'words' ? 'answerWords' : 'answerCharacters';
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
    let output: AskOutput;
    let refused: string | undefined;
    try {
      output = await options.ask(example.question, { signal: options.signal, example });
    } catch (error) {
      // A question the pipeline cannot take (an empty one: CMRC 2018 trial has two) is answered with
      // nothing and noted, instead of ending a long run; any other failure still ends it.
      if (!isRagloomError(error, 'INVALID_ARGUMENT')) throw error;
      refused = (error as Error).message;
      output = { answer: '' };
    }
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
    const declined = output.outcome === 'declined';
    const prediction = predictionOf(output);
    const metrics: Record<string, number> = {};
    if (metric.scores(example)) Object.assign(metrics, metric.scoreQuestion(example, prediction));
    metrics.declined = declined ? 1 : 0;
    if (!declined) metrics[lengthMeasure] = answerLength(prediction, metric.lengthUnit);
    if (example.answers.length > 0) {
      metrics.answerHasGold = metric.containsGold(example.answers, prediction) ? 1 : 0;
    }
    const gold = (options.goldPassages ?? defaultGold)(example);
    if (gold !== undefined && gold.length > 0 && example.answers.length > 0) {
      const scores = contextScores(passages, gold, { match: options.contextMatch ?? 'auto' });
      metrics.contextPrecision = scores.precision;
      metrics.contextRecall = scores.recall;
      metrics.contextAveragePrecision = scores.averagePrecision;
    }
    if (example.answers.length > 0) {
      metrics.answerInContext = metric.containsGold(example.answers, passages.map((p) => p.text).join('\n'))
        ? 1
        : 0;
    }
    const errors: string[] = refused === undefined ? [] : [`ask: ${refused}`];
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
    // A decline claims nothing: there is nothing to be faithful to the passages or relevant to the question.
    if (wantFaithfulness && !declined) {
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
    if (wantRelevance && !declined) {
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
      ...(declined ? { outcome: 'declined' as const } : {}),
      goldAnswers: example.answers,
      passages,
      latencyMs,
      ...(output.usage ? { usage: output.usage } : {}),
      ...(output.embeddingTokens === undefined ? {} : { embeddingTokens: output.embeddingTokens }),
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
  const predictions = new Map(records.map((r) => [r.id, predictionOf(r)]));
  const aggregate: Record<string, number> = {};
  const measures: string[] = [];
  const put = (name: string, value: number) => {
    if (Number.isNaN(value)) return;
    aggregate[name] = value;
    measures.push(name);
  };
  const answers = metric.aggregate(examples, predictions);
  for (const [name, value] of answers.values) put(name, value);
  const meanOf = (name: string, of: readonly PipelineQuestionRecord[] = records) =>
    mean(of.flatMap((r) => (r.metrics[name] === undefined ? [] : [r.metrics[name]!])));
  put('answerHasGold', meanOf('answerHasGold'));
  put(lengthMeasure, meanOf(lengthMeasure));
  put('declined', meanOf('declined'));
  const withAnswer = records.filter((r) => r.goldAnswers.length > 0);
  if (withAnswer.length > 0 && withAnswer.length < records.length) {
    put('hasAns.declined', meanOf('declined', withAnswer));
    put(
      'noAns.declined',
      meanOf(
        'declined',
        records.filter((r) => r.goldAnswers.length === 0),
      ),
    );
  }
  for (const name of [
    'contextPrecision',
    'contextRecall',
    'contextAveragePrecision',
    'answerInContext',
    'faithfulness',
    'answerRelevance',
  ]) {
    put(name, meanOf(name));
  }
  const methods: Record<string, string> = {};
  if (wantFaithfulness) methods.faithfulness = judgeMethod;
  if (wantRelevance) methods.answerRelevance = judgeMethod;
  const usage = records.reduce<TokenUsage | undefined>((u, r) => sumUsage(u, r.usage), undefined);
  const embeddingTokens = records.reduce((n, r) => n + (r.embeddingTokens ?? 0), 0);
  const judgeTokens = records.reduce((n, r) => n + (r.judgeUsage?.totalTokens ?? 0), 0);
  const costs = records.flatMap((r) => (r.costUsd === undefined ? [] : [r.costUsd]));
  const latencies = records.map((r) => r.latencyMs);
  return {
    kind: 'pipeline',
    name: options.name ?? 'pipeline',
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - start,
    config: { ...config, official: answers.official },
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
      embeddingTokens,
      judgeTokens,
      ...(costs.length > 0 ? { costUsd: costs.reduce((a, b) => a + b, 0) } : {}),
    },
    judgeFailures: records.filter((r) => r.errors?.some((e) => !e.startsWith('ask: '))).length,
    refusedQuestions: records.filter((r) => r.errors?.some((e) => e.startsWith('ask: '))).length,
    resumedQueries: resumed,
    queries: records,
  };
}
