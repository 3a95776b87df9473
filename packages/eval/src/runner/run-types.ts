import type { TokenUsage } from '@ragloom/core';
import type { HistogramBin, LatencySummary } from './latency.js';

/** One query of a retrieval run: what came back, how long it took, and its scores. */
export interface RetrievalQueryRecord {
  readonly id: string;
  readonly text: string;
  readonly hits: readonly { readonly id: string; readonly score: number }[];
  /** Embedding + search, milliseconds. */
  readonly latencyMs: number;
  readonly embedMs?: number;
  readonly searchMs: number;
  readonly embeddingTokens?: number;
  /** Per-measure scores (absent for queries without judgments). */
  readonly metrics?: Readonly<Record<string, number>>;
}

/** What every run records, whatever it evaluated. */
interface RunResultBase {
  readonly name: string;
  readonly startedAt: string;
  readonly durationMs: number;
  readonly config: Readonly<Record<string, unknown>>;
  /** Measure names in display order (retrieval: canonical names, in the order asked). */
  readonly measures: readonly string[];
  /** Mean of each measure over the queries it applies to (trec_eval conventions; EM/F1 as the official scripts). */
  readonly aggregate: Readonly<Record<string, number>>;
  readonly evaluatedQueries: number;
  readonly latency: LatencySummary;
  readonly latencyHistogram: readonly HistogramBin[];
  /** Queries taken from the cache of an interrupted run instead of being run again. */
  readonly resumedQueries: number;
}

export interface RetrievalRunResult extends RunResultBase {
  readonly kind: 'retrieval';
  readonly usage: { readonly embeddingTokens: number };
  readonly queries: readonly RetrievalQueryRecord[];
}

/** One question of a pipeline run. */
export interface PipelineQuestionRecord {
  readonly id: string;
  readonly question: string;
  readonly answer: string;
  /** Present when the pipeline declined to answer (scored as the empty prediction). */
  readonly outcome?: 'declined';
  readonly goldAnswers: readonly string[];
  readonly passages: readonly { readonly id?: string; readonly documentId?: string; readonly text: string }[];
  readonly latencyMs: number;
  readonly usage?: TokenUsage;
  /** Tokens the pipeline's encoder embedded for the question. */
  readonly embeddingTokens?: number;
  readonly costUsd?: number;
  /**
   * Per-question scores: exact / f1 (SQuAD, CMRC) or exact (NQ-open); `answerHasGold`, `declined`,
   * `answerWords` or `answerCharacters`; context and judge metrics.
   */
  readonly metrics: Readonly<Record<string, number>>;
  /** Per-sentence support verdicts behind the faithfulness score. */
  readonly faithfulness?: {
    readonly method: string;
    readonly sentences: readonly {
      readonly text: string;
      readonly supported: boolean;
      readonly reason?: string;
    }[];
  };
  readonly answerRelevance?: { readonly method: string; readonly rating?: number; readonly reason?: string };
  /** Errors that did not stop the run: `ask: …` when the pipeline refused the question, judge failures. */
  readonly errors?: readonly string[];
  readonly judgeUsage?: TokenUsage;
}

export interface PipelineRunResult extends RunResultBase {
  readonly kind: 'pipeline';
  /** How each judged metric was computed: 'llm-judge', 'token-overlap' (offline fallback), ... */
  readonly methods: Readonly<Record<string, string>>;
  readonly usage: {
    readonly promptTokens: number;
    readonly completionTokens: number;
    readonly totalTokens: number;
    /** Tokens embedded by the pipeline's encoder (its questions); 0 for pipelines that embed nothing. */
    readonly embeddingTokens: number;
    readonly judgeTokens: number;
    readonly costUsd?: number;
  };
  readonly judgeFailures: number;
  /** Questions the pipeline refused (INVALID_ARGUMENT, e.g. an empty question): scored as answered with ''. */
  readonly refusedQuestions: number;
  readonly queries: readonly PipelineQuestionRecord[];
}

export type EvalRunResult = RetrievalRunResult | PipelineRunResult;
