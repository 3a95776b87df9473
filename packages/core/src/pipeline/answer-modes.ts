import { parseCitations } from '../prompt/citations.js';
import { buildRagPrompt } from '../prompt/rag-prompt.js';
import type { ChatMessage, FinishReason, GeneratorV1, TokenUsage } from '../spec/generator-v1.js';
import { simpleTokenize } from '../text/simple-tokenize.js';
import { limitText } from './answer-limits.js';
import { type ExtractiveAnswerOptions, extractiveAnswer } from './extractive-answer.js';
import { citationFor, type RetrievedPassage } from './passage.js';
import type { AnswerMode, AskOptions, AskResult, DeclineReason } from './pipeline-types.js';

/** The answer when nothing relevant was retrieved. */
export const NO_PASSAGES_ANSWER =
  'Not found in your documents: nothing relevant to this question was retrieved.';
/** The extractive answer when the passages retrieved do not answer the question. */
export const WEAK_EVIDENCE_ANSWER =
  'Not found in your documents: the passages retrieved do not answer this question.';

/** One question to answer from its retrieved passages. */
export interface AnswerRequest {
  readonly question: string;
  readonly passages: RetrievedPassage[];
  readonly options: AskOptions;
  readonly embeddingTokens?: number;
}

export type AnswerEvent =
  | { readonly type: 'text-delta'; readonly delta: string }
  | ({ readonly type: 'finish' } & AskResult);

/** How a pipeline turns passages into an answer: streamed, or whole. Both give the same result. */
export interface Answerer {
  readonly mode: AnswerMode;
  stream(request: AnswerRequest): AsyncGenerator<AnswerEvent>;
  answer(request: AnswerRequest): Promise<AskResult>;
}

const withEmbedding = (request: AnswerRequest) =>
  request.embeddingTokens === undefined ? {} : { embeddingTokens: request.embeddingTokens };

/** Word-count usage for answers no model wrote: the question's words in, the answer's words out. */
function wordUsage(question: string, completionTokens: number): TokenUsage {
  const promptTokens = simpleTokenize(question).length;
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** A fixed text, cut by the request's limits, as the deltas a stream sends and the final result. */
function fixedAnswer(
  request: AnswerRequest,
  mode: AnswerMode,
  text: string,
  result: Pick<AskResult, 'citations' | 'outcome' | 'declineReason' | 'evidence'>,
  markerEnds: readonly number[] = [],
): { deltas: readonly string[]; result: AskResult } {
  const limited = limitText(text, request.options.generation);
  // A citation survives a cut when its marker does.
  const citations = result.citations.filter((_, i) => (markerEnds[i] ?? 0) <= limited.text.length);
  return {
    deltas: limited.deltas,
    result: {
      ...result,
      answer: limited.text,
      citations,
      passages: request.passages,
      mode,
      finishReason: limited.finishReason,
      usage: wordUsage(request.question, limited.tokens),
      ...withEmbedding(request),
    },
  };
}

/** The declined answer of either mode: a fixed sentence saying why, no citations. */
export function declinedAnswer(
  request: AnswerRequest,
  mode: AnswerMode,
  reason: DeclineReason,
  evidence?: number,
): { deltas: readonly string[]; result: AskResult } {
  return fixedAnswer(request, mode, reason === 'no-passages' ? NO_PASSAGES_ANSWER : WEAK_EVIDENCE_ANSWER, {
    citations: [],
    outcome: 'declined',
    declineReason: reason,
    ...(evidence === undefined ? {} : { evidence }),
  });
}

/** An answer that exists whole, as the stream of deltas and the finish part it would send. */
export async function* replayAnswer(answer: {
  deltas: readonly string[];
  result: AskResult;
}): AsyncGenerator<AnswerEvent> {
  for (const delta of answer.deltas) yield { type: 'text-delta', delta };
  yield { type: 'finish', ...answer.result };
}

/** Answers by quoting sentences (`extractiveAnswer`), with the generation limits applied to the quote. */
export function extractiveMode(options: ExtractiveAnswerOptions = {}): Answerer {
  const compose = (request: AnswerRequest) => {
    const quote = extractiveAnswer(request.question, request.passages, options);
    if (quote.declined) return declinedAnswer(request, 'extractive', 'weak-evidence', quote.evidence);
    return fixedAnswer(
      request,
      'extractive',
      quote.answer,
      { citations: quote.citations, outcome: 'answered', evidence: quote.evidence },
      quote.markerEnds,
    );
  };
  return {
    mode: 'extractive',
    stream: (request) => replayAnswer(compose(request)),
    answer: async (request) => compose(request).result,
  };
}

const sourceOf = (p: RetrievedPassage) => {
  const s = p.metadata.source ?? p.metadata.path ?? p.metadata.title;
  return typeof s === 'string' ? s : p.documentId;
};

/** Answers with a generator over the RAG prompt; citations are the [n] markers it wrote. */
export function generatedMode(
  generator: GeneratorV1,
  prompt: { readonly systemPrompt?: string } = {},
): Answerer {
  const messagesFor = (request: AnswerRequest): ChatMessage[] =>
    buildRagPrompt({
      question: request.question,
      passages: request.passages.map((p) => ({ text: p.text, source: sourceOf(p) })),
      history: request.options.history,
      system: prompt.systemPrompt,
    });
  const generateRequest = (request: AnswerRequest) => ({
    ...request.options.generation,
    messages: messagesFor(request),
    signal: request.options.signal,
  });
  const result = (
    request: AnswerRequest,
    answer: string,
    end: { finishReason: FinishReason; usage?: TokenUsage },
  ): AskResult => ({
    answer,
    citations: parseCitations(answer, request.passages.length).map((n) =>
      citationFor(n, request.passages[n - 1]!),
    ),
    passages: request.passages,
    mode: 'generated',
    outcome: 'answered',
    finishReason: end.finishReason,
    ...(end.usage ? { usage: end.usage } : {}),
    ...withEmbedding(request),
  });
  return {
    mode: 'generated',
    async *stream(request) {
      let answer = '';
      for await (const part of generator.stream(generateRequest(request))) {
        if (part.type === 'text-delta') {
          answer += part.delta;
          yield part;
        } else {
          yield { type: 'finish', ...result(request, answer, part) };
        }
      }
    },
    async answer(request) {
      const generated = await generator.generate(generateRequest(request));
      return result(request, generated.text, generated);
    },
  };
}
