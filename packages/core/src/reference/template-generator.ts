import { collectGenerateStream } from '../generator/collect-generate-stream.js';
import { validateGenerateRequest } from '../generator/validate-generate-request.js';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GenerateStreamPart,
  GeneratorV1,
} from '../spec/generator-v1.js';
import { throwIfAborted } from '../util/abort.js';
import { abortableSleep } from '../util/retry.js';
import { createStopSequenceMatcher } from '../util/stop-sequences.js';

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

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    validateGenerateRequest(request);
    throwIfAborted(request.signal, 'generation');
    const promptTokens = request.messages.reduce((n, m) => n + countWords(m.content) + 1, 0);
    const tokens = templateTokens(render(request.messages));
    const stops = createStopSequenceMatcher(request.stop);
    const max = request.maxTokens ?? Number.POSITIVE_INFINITY;
    let completionTokens = 0;
    let finishReason: FinishReason = 'stop';
    for (const token of tokens) {
      if (completionTokens >= max) {
        finishReason = 'length';
        break;
      }
      if (delay > 0) await abortableSleep(delay, request.signal, 'generation');
      throwIfAborted(request.signal, 'generation');
      completionTokens++;
      const { text, stopped } = stops.push(token);
      if (text) yield { type: 'text-delta', delta: text };
      if (stopped) break;
    }
    const rest = stops.flush();
    if (rest) yield { type: 'text-delta', delta: rest };
    yield {
      type: 'finish',
      finishReason,
      usage: { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens },
    };
  }

  return {
    specificationVersion: 'v1',
    provider: 'template',
    modelId: options.modelId ?? 'ragloom/template',
    stream,
    generate: (request) => collectGenerateStream(stream(request)),
  };
}
