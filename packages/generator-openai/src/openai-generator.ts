import {
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type GeneratorV1,
  RagloomError,
  type TokenUsage,
} from '@ragloom/core';
import {
  acceptGenerateRequest,
  applyStopSequences,
  cutAtStopSequence,
  parseOptions,
} from '@ragloom/core/adapter';
import { createOpenAIClient, createOpenAICompatibleTransport } from '@ragloom/openai-compatible';
import { chatCompletionBody } from './chat-completion-body.js';
import { mapFinishReason } from './map-finish-reason.js';
import {
  type ChatCompletionsClient,
  type OpenAIGeneratorOptions,
  openAIGeneratorOptions,
} from './openai-generator-options.js';

const COMPONENT = 'createOpenAIGenerator';
const PATH = '/chat/completions';

/** The subset of a chat completion (streamed chunk or whole response) that is read. */
interface CompletionChoice {
  readonly delta?: { readonly content?: string | null };
  readonly message?: { readonly content?: string | null };
  readonly finish_reason?: string | null;
}
interface CompletionPayload {
  readonly choices?: readonly CompletionChoice[];
  readonly usage?: { readonly prompt_tokens?: number; readonly completion_tokens?: number } | null;
}

function toUsage(usage: CompletionPayload['usage']): TokenUsage {
  const count = (n: unknown) => (typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : 0);
  const promptTokens = count(usage?.prompt_tokens);
  const completionTokens = count(usage?.completion_tokens);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/**
 * A Generator for any OpenAI-compatible chat completions endpoint: OpenAI, Azure OpenAI (pass an `AzureOpenAI`
 * client), vLLM, llama.cpp server, Ollama, LM Studio, Groq. `generate` uses one JSON response, `stream` reads
 * server-sent events; both map finish reasons and usage onto ragloom's contract. Keys, timeouts, retries and
 * errors follow `@ragloom/openai-compatible`, as in the OpenAI encoder.
 */
export function createOpenAIGenerator(input: OpenAIGeneratorOptions): GeneratorV1 {
  const options = parseOptions(openAIGeneratorOptions, input, { component: COMPONENT });
  const client: ChatCompletionsClient = options.client ?? createOpenAIClient(options, COMPONENT);
  const transport = createOpenAICompatibleTransport(options, {
    baseURL: client.baseURL ?? 'the configured client',
    what: 'generation',
  });
  const where = transport.describe(PATH);
  const send = <T>(body: Record<string, unknown>, signal: AbortSignal | undefined) =>
    transport.open(PATH, signal, (sdk): PromiseLike<T> => client.chat.completions.create(body, sdk));

  /**
   * The SDK's chunks as ragloom stream parts: text deltas, then one finish part. Closing it early (a stop
   * sequence met) leaves the SDK's iterator, which aborts the request.
   */
  async function* completionParts(
    req: GenerateRequest,
    seen: { usage: CompletionPayload['usage'] },
  ): AsyncGenerator<GenerateStreamPart> {
    const body = chatCompletionBody(options, req, true);
    const { value: chunks, timer } = await send<AsyncIterable<CompletionPayload>>(body, req.signal);
    let finishReason: FinishReason | undefined;
    try {
      try {
        for await (const chunk of chunks) {
          // Chunks already buffered must not leak out after an abort.
          if (req.signal?.aborted) break;
          timer.touch();
          if (chunk.usage) seen.usage = chunk.usage;
          const choice = chunk.choices?.[0];
          if (!choice) continue;
          const content = choice.delta?.content;
          if (content) yield { type: 'text-delta', delta: content };
          if (choice.finish_reason) finishReason = mapFinishReason(choice.finish_reason);
        }
      } catch (error) {
        throw transport.failure(error, PATH, timer, req.signal);
      }
      // The SDK ends the iteration quietly when its signal fires; find out why it ended.
      if (req.signal?.aborted || timer.timedOut) throw transport.failure(undefined, PATH, timer, req.signal);
    } finally {
      timer.dispose();
    }
    if (finishReason === undefined) {
      throw new RagloomError('UPSTREAM_ERROR', `${where} closed the stream before a finish_reason`, {
        retryable: true,
      });
    }
    yield { type: 'finish', finishReason, usage: toUsage(seen.usage) };
  }

  async function* stream(req: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    acceptGenerateRequest(req);
    // Servers take at most `maxServerStopSequences` and some ignore them: every one is matched here too.
    const seen: { usage: CompletionPayload['usage'] } = { usage: undefined };
    yield* applyStopSequences(completionParts(req, seen), req, () => toUsage(seen.usage));
  }

  async function generate(req: GenerateRequest): Promise<GenerateResult> {
    acceptGenerateRequest(req);
    const body = chatCompletionBody(options, req, false);
    const { value: result, timer } = await send<CompletionPayload>(body, req.signal);
    timer.dispose();
    const choice = result?.choices?.[0];
    if (!choice) {
      throw new RagloomError('UPSTREAM_ERROR', `${where} returned no choices`, {
        details: { response: result },
      });
    }
    const cut = cutAtStopSequence(choice.message?.content ?? '', req.stop);
    const finishReason = cut.stopped ? 'stop' : mapFinishReason(choice.finish_reason);
    return { text: cut.text, finishReason, usage: toUsage(result.usage) };
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider,
    modelId: options.model,
    generate,
    stream,
  };
}
