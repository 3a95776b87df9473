import { acceptGenerateRequest } from '../adapter/accept-generate-request.js';
import { applyStopSequences } from '../adapter/stop-sequences.js';
import { collectGenerateStream } from '../generator/collect-generate-stream.js';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateStreamPart,
  GeneratorV1,
  TokenUsage,
} from '../spec/generator-v1.js';
import { throwIfAborted } from '../util/abort.js';
import { abortableSleep } from '../util/retry.js';

export interface TemplateGeneratorOptions {
  /** Builds the full response from the conversation. Default: echoes the last user message. */
  readonly render?: (messages: readonly ChatMessage[]) => string;
  /** Pause between tokens, so streaming and abort can be observed (default 0). */
  readonly tokenDelayMs?: number;
  readonly modelId?: string;
}

/** A "token" of the template generator: a run of non-space characters with the spaces before it. */
export function templateTokens(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

const countWords = (text: string) => (text.match(/\S+/g) ?? []).length;

const promptTokensOf = (request: GenerateRequest) =>
  request.messages.reduce((n, m) => n + countWords(m.content) + 1, 0);

const usageOf = (promptTokens: number, completionTokens: number): TokenUsage => ({
  promptTokens,
  completionTokens,
  totalTokens: promptTokens + completionTokens,
});

const lastUserMessage = (messages: readonly ChatMessage[]) =>
  [...messages].reverse().find((m) => m.role === 'user')?.content ?? '';

/**
 * The reference generator: deterministic text from a template, streamed word by word. It follows the
 * whole Generator contract (max tokens, stop sequences, abort, usage) so pipelines and hosts can be
 * tested end to end without a model. It does not understand anything.
 */
export function createTemplateGenerator(options: TemplateGeneratorOptions = {}): GeneratorV1 {
  const render = options.render ?? lastUserMessage;
  const delay = options.tokenDelayMs ?? 0;

  /** The rendered reply word by word, cut at `maxTokens`; stop sequences are applied to it by `stream`. */
  async function* words(request: GenerateRequest, count: { completionTokens: number }) {
    const promptTokens = promptTokensOf(request);
    const max = request.maxTokens ?? Number.POSITIVE_INFINITY;
    let finishReason: FinishReason = 'stop';
    for (const token of templateTokens(render(request.messages))) {
      if (count.completionTokens >= max) {
        finishReason = 'length';
        break;
      }
      if (delay > 0) await abortableSleep(delay, request.signal, 'generation');
      throwIfAborted(request.signal, 'generation');
      count.completionTokens++;
      yield { type: 'text-delta', delta: token } satisfies GenerateStreamPart;
    }
    yield {
      type: 'finish',
      finishReason,
      usage: usageOf(promptTokens, count.completionTokens),
    } satisfies GenerateStreamPart;
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    acceptGenerateRequest(request);
    const count = { completionTokens: 0 };
    // A matched stop sequence counts the word that completed it, as a model counts the token.
    yield* applyStopSequences(words(request, count), request, () =>
      usageOf(promptTokensOf(request), count.completionTokens),
    );
  }

  return {
    specificationVersion: 'v1',
    provider: 'template',
    modelId: options.modelId ?? 'ragloom/template',
    stream,
    generate: (request) => collectGenerateStream(stream(request)),
  };
}
