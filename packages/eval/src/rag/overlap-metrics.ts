import { cosineSimilarity, type EncoderV1, RagloomError, simpleTokenize } from '@ragloom/core';
import type { AnswerRelevanceResult, FaithfulnessResult } from './llm-judge.js';
import { answerSentences } from './llm-judge.js';

// Function words that say nothing about support (English, plus the commonest Chinese particles).
const STOPWORDS = new Set(
  `a an the and or but if then of to in on at by for with from as is are was were be been being it its this that
these those there here he she they we you i me my our your his her their them not no do does did have has had will
would can could should may might must shall so than too very just also into about over under up down out what which
who whom whose when where why how all any some such only own same other more most both each few nor s t
的 了 是 在 和 与 及 或 也 都 就 而 之 其 这 那 个 有 为 以 于 着 吗 呢 吧 啊`.split(/\s+/),
);

/** The content tokens the overlap metrics compare: core's CJK-aware tokens minus function words. */
export function contentTokens(text: string): string[] {
  return simpleTokenize(text).filter((t) => !STOPWORDS.has(t));
}

export interface OverlapFaithfulnessOptions {
  /** A sentence counts as supported when at least this share of its content tokens occur in the contexts (default 0.5). */
  readonly threshold?: number;
}

/**
 * Deterministic offline fallback for faithfulness (no model): an answer sentence is "supported" when
 * enough of its content words (CJK: characters) occur somewhere in the retrieved contexts. It detects
 * answers that drift away from the context, not subtle contradictions — results are labelled
 * `method: 'token-overlap'` so they are never mistaken for judged scores.
 */
export function overlapFaithfulness(
  input: { readonly answer: string; readonly contexts: readonly string[] },
  options: OverlapFaithfulnessOptions = {},
): FaithfulnessResult {
  const threshold = options.threshold ?? 0.5;
  if (!(threshold >= 0 && threshold <= 1)) {
    throw new RagloomError('INVALID_ARGUMENT', `threshold must be between 0 and 1, got ${String(threshold)}`);
  }
  const contextTokens = new Set(input.contexts.flatMap((c) => simpleTokenize(c)));
  const sentences = answerSentences(input.answer).map((text) => {
    const tokens = contentTokens(text);
    // A sentence of function words only makes no claim (like "I don't know" for the judge).
    const coverage =
      tokens.length === 0 ? 1 : tokens.filter((t) => contextTokens.has(t)).length / tokens.length;
    return { text, supported: coverage >= threshold, coverage };
  });
  const score = sentences.length === 0 ? 1 : sentences.filter((s) => s.supported).length / sentences.length;
  return { score, method: 'token-overlap', sentences };
}

/**
 * Deterministic offline fallback for answer relevance: the share of the question's content words that
 * the answer takes up. A crude proxy (an answer can be relevant without repeating the question), so it
 * is labelled `method: 'token-overlap'`.
 */
export function overlapAnswerRelevance(input: {
  readonly question: string;
  readonly answer: string;
}): AnswerRelevanceResult {
  const questionTokens = [...new Set(contentTokens(input.question))];
  const answerTokens = new Set(simpleTokenize(input.answer));
  const score =
    questionTokens.length === 0
      ? 0
      : questionTokens.filter((t) => answerTokens.has(t)).length / questionTokens.length;
  return { score, method: 'token-overlap' };
}

/**
 * Answer relevance as the cosine similarity of question and answer embeddings (clamped to 0..1), for
 * when an encoder but no judge is at hand. Labelled `method: 'embedding-similarity'`.
 */
export async function embeddingAnswerRelevance(
  input: { readonly question: string; readonly answer: string },
  encoder: EncoderV1,
  options: { readonly signal?: AbortSignal } = {},
): Promise<AnswerRelevanceResult> {
  const [question] = (
    await encoder.embed({ texts: [input.question], inputType: 'query', signal: options.signal })
  ).embeddings;
  const [answer] = (
    await encoder.embed({ texts: [input.answer], inputType: 'document', signal: options.signal })
  ).embeddings;
  const similarity = cosineSimilarity(question!, answer!);
  return { score: Math.min(1, Math.max(0, similarity)), method: 'embedding-similarity' };
}
