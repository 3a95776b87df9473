import {
  type ChatMessage,
  type GenerateRequest,
  type GeneratorV1,
  isRagloomError,
  RagloomError,
  splitSentences,
  stripCitations,
  type TokenUsage,
  throwIfAborted,
} from '@ragloom/core';
import { parseJudgeJson, readVerdict } from './judge-json.js';
import {
  answerRelevanceMessages,
  faithfulnessMessages,
  JSON_REMINDER,
  JUDGE_PROMPT_VERSION,
} from './judge-prompts.js';

export interface JudgeOptions {
  /** Any ragloom generator: OpenAI-compatible, local ONNX, ... */
  readonly generator: GeneratorV1;
  /** Default 512. */
  readonly maxTokens?: number;
  /** Default 0 (greedy), with seed 42, so judging is as repeatable as the generator allows. */
  readonly temperature?: number;
  readonly seed?: number;
  /** Asks again with a reminder this many times when the reply holds no usable JSON (default 1). */
  readonly retries?: number;
  /**
   * Passed to the generator as is. For a server's JSON mode, e.g.
   * `{ openai: { response_format: { type: 'json_object' } } }` (the key is the generator's provider name).
   */
  readonly providerOptions?: GenerateRequest['providerOptions'];
  readonly signal?: AbortSignal;
}

export interface SentenceVerdict {
  readonly text: string;
  readonly supported: boolean;
  readonly reason?: string;
  /** Token-overlap fallback only: share of the sentence's content words found in the context. */
  readonly coverage?: number;
}

export interface FaithfulnessResult {
  /** Share of answer sentences supported by the contexts (1 for an empty answer). */
  readonly score: number;
  /** 'llm-judge' or the deterministic 'token-overlap' fallback; reports show which one was used. */
  readonly method: 'llm-judge' | 'token-overlap';
  readonly sentences: readonly SentenceVerdict[];
  readonly usage?: TokenUsage;
  readonly promptVersion?: string;
}

export interface AnswerRelevanceResult {
  /** 0..1 (the judge's 1-5 rating mapped linearly; the fallback's overlap share). */
  readonly score: number;
  readonly method: 'llm-judge' | 'token-overlap' | 'embedding-similarity';
  /** The judge's 1-5 rating. */
  readonly rating?: number;
  readonly reason?: string;
  readonly usage?: TokenUsage;
  readonly promptVersion?: string;
}

const addUsage = (a: TokenUsage | undefined, b: TokenUsage): TokenUsage => ({
  promptTokens: (a?.promptTokens ?? 0) + b.promptTokens,
  completionTokens: (a?.completionTokens ?? 0) + b.completionTokens,
  totalTokens: (a?.totalTokens ?? 0) + b.totalTokens,
});

/** Asks the judge, parsing its reply with `accept`; asks again with a reminder when the reply is unusable. */
async function askJudge<T>(
  messages: ChatMessage[],
  accept: (value: unknown) => T | undefined,
  options: JudgeOptions,
): Promise<{ value: T; usage: TokenUsage | undefined }> {
  const retries = options.retries ?? 1;
  let usage: TokenUsage | undefined;
  let conversation = messages;
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(options.signal, 'judging');
    const reply = await options.generator.generate({
      messages: conversation,
      maxTokens: options.maxTokens ?? 512,
      temperature: options.temperature ?? 0,
      seed: options.seed ?? 42,
      signal: options.signal,
      ...(options.providerOptions ? { providerOptions: options.providerOptions } : {}),
    });
    usage = addUsage(usage, reply.usage);
    try {
      return { value: parseJudgeJson(reply.text, accept), usage };
    } catch (error) {
      if (!isRagloomError(error, 'UPSTREAM_ERROR') || attempt >= retries) throw error;
      conversation = [
        ...messages,
        { role: 'assistant', content: reply.text },
        { role: 'user', content: JSON_REMINDER },
      ];
    }
  }
}

/**
 * The sentences of an answer as the faithfulness metrics judge them: citation markers removed, then
 * core's sentence splitter (English and CJK terminators).
 */
export function answerSentences(answer: string): string[] {
  // Citation markers make no claim, and left in they would split off as "sentences" of their own.
  const text = stripCitations(answer);
  return splitSentences(text)
    .map((s) => text.slice(s.start, s.end))
    .filter((s) => s.length > 0);
}

function verdictsOf(value: unknown, count: number): { supported: boolean; reason?: string }[] | undefined {
  const list = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? ((value as Record<string, unknown>).verdicts ??
        (value as Record<string, unknown>).sentences ??
        (value as Record<string, unknown>).results)
      : undefined;
  if (!Array.isArray(list)) return undefined;
  const out: ({ supported: boolean; reason?: string } | undefined)[] = new Array(count).fill(undefined);
  let positional = 0;
  for (const item of list) {
    let verdict: boolean | undefined;
    let index: number | undefined;
    let reason: string | undefined;
    if (typeof item === 'object' && item !== null && !Array.isArray(item)) {
      const record = item as Record<string, unknown>;
      verdict = readVerdict(record.supported ?? record.verdict ?? record.faithful ?? record.label);
      const n = record.sentence ?? record.index ?? record.id;
      if (typeof n === 'number' && Number.isInteger(n)) index = n - 1;
      if (typeof record.reason === 'string') reason = record.reason;
    } else {
      verdict = readVerdict(item);
    }
    if (verdict === undefined) return undefined;
    const at = index ?? positional;
    positional++;
    if (at < 0 || at >= count) continue;
    out[at] = reason === undefined ? { supported: verdict } : { supported: verdict, reason };
  }
  return out.every((v) => v !== undefined) ? (out as { supported: boolean; reason?: string }[]) : undefined;
}

/**
 * Faithfulness by LLM judge: the answer is split into sentences, and the judge says for each whether
 * the retrieved contexts support it. Score = supported / sentences. A reply without a verdict for
 * every sentence is asked again once, then fails with UPSTREAM_ERROR.
 */
export async function judgeFaithfulness(
  input: { readonly question: string; readonly answer: string; readonly contexts: readonly string[] },
  options: JudgeOptions,
): Promise<FaithfulnessResult> {
  const sentences = answerSentences(input.answer);
  if (sentences.length === 0) {
    return { score: 1, method: 'llm-judge', sentences: [], promptVersion: JUDGE_PROMPT_VERSION };
  }
  const { value, usage } = await askJudge(
    faithfulnessMessages({ question: input.question, contexts: input.contexts, sentences }),
    (v) => verdictsOf(v, sentences.length),
    options,
  );
  const judged = value.map((v, i) => ({ text: sentences[i]!, ...v }));
  return {
    score: judged.filter((s) => s.supported).length / judged.length,
    method: 'llm-judge',
    sentences: judged,
    ...(usage ? { usage } : {}),
    promptVersion: JUDGE_PROMPT_VERSION,
  };
}

function ratingOf(value: unknown): { rating: number; reason?: string } | undefined {
  const record =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  const raw = record ? (record.score ?? record.rating ?? record.relevance) : value;
  const rating = typeof raw === 'string' ? Number.parseFloat(raw) : raw;
  if (typeof rating !== 'number' || !Number.isFinite(rating) || rating < 1 || rating > 5) return undefined;
  return typeof record?.reason === 'string' ? { rating, reason: record.reason } : { rating };
}

/** Answer relevance by LLM judge: a 1-5 rating of how well the answer addresses the question, mapped to 0..1. */
export async function judgeAnswerRelevance(
  input: { readonly question: string; readonly answer: string },
  options: JudgeOptions,
): Promise<AnswerRelevanceResult> {
  if (typeof input.answer !== 'string' || typeof input.question !== 'string') {
    throw new RagloomError('INVALID_ARGUMENT', 'answer relevance needs a question and an answer string');
  }
  const { value, usage } = await askJudge(answerRelevanceMessages(input), ratingOf, options);
  return {
    score: (value.rating - 1) / 4,
    method: 'llm-judge',
    rating: value.rating,
    ...(value.reason === undefined ? {} : { reason: value.reason }),
    ...(usage ? { usage } : {}),
    promptVersion: JUDGE_PROMPT_VERSION,
  };
}
