import type { AIMessageChunk } from '@langchain/core/messages';
import {
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type GeneratorV1,
  throwIfAborted,
} from '@ragloom/core';
import {
  acceptGenerateRequest,
  applyStopSequences,
  cutAtStopSequence,
  parseOptions,
  vendorFailure,
} from '@ragloom/core/adapter';
import { finishReasonOf, usageOf } from './finish-reason.js';
import { type LangChainCallContext, toRagloomError } from './langchain-error.js';
import {
  type GenerationSettings,
  type LangChainChatModel,
  type LangChainGeneratorOptions,
  langChainGeneratorOptions,
} from './langchain-generator-options.js';

const SETTING_KEYS = ['maxTokens', 'temperature', 'topP', 'topK', 'seed'] as const;

function settingsOf(request: GenerateRequest): GenerationSettings | undefined {
  const settings: { -readonly [K in keyof GenerationSettings]: GenerationSettings[K] } = {};
  for (const key of SETTING_KEYS) if (request[key] !== undefined) settings[key] = request[key];
  return Object.keys(settings).length > 0 ? settings : undefined;
}

/**
 * A LangChain chat model as a ragloom Generator: `invoke` for `generate`, `stream` for `stream`. Stop sequences
 * go to the model as LangChain's `stop` call option and are also matched here (some models ignore them); the
 * signal is LangChain's `signal`; finish reasons and usage come from the message's `response_metadata` and
 * `usage_metadata`, whatever the provider calls them. Per-request settings (maxTokens, temperature, ...) are
 * constructor fields in LangChain, so `withSettings` builds the model for them.
 */
export function createLangChainGenerator(input: LangChainGeneratorOptions): GeneratorV1 {
  const options = parseOptions(langChainGeneratorOptions, input, { component: 'createLangChainGenerator' });
  const context: LangChainCallContext = {
    component: `LangChain model ${options.modelId}`,
    operation: 'chat generation',
  };
  const warned = new Set<string>();

  function modelFor(request: GenerateRequest): LangChainChatModel {
    const settings = settingsOf(request);
    if (!settings) return options.model;
    if (options.withSettings) return options.withSettings(settings);
    for (const key of Object.keys(settings)) {
      if (warned.has(key)) continue;
      warned.add(key);
      options.onWarning?.(
        `${key} was not applied: LangChain chat models take it at construction; pass withSettings to build the model per request`,
      );
    }
    return options.model;
  }

  const callOptionsFor = (request: GenerateRequest) => {
    const stop = request.stop?.filter((s) => s.length > 0) ?? [];
    return {
      ...options.callOptions,
      ...(stop.length > 0 ? { stop } : {}),
      ...(request.signal ? { signal: request.signal } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
    };
  };
  const messagesOf = (request: GenerateRequest) =>
    request.messages.map((m) => ({ role: m.role, content: m.content }));
  const failure = (error: unknown, signal: AbortSignal | undefined) =>
    vendorFailure(error, signal, 'generation', (e) => toRagloomError(e, context));

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    acceptGenerateRequest(request);
    let message: AIMessageChunk;
    try {
      message = await modelFor(request).invoke(messagesOf(request), callOptionsFor(request));
    } catch (error) {
      throw failure(error, request.signal);
    }
    throwIfAborted(request.signal, 'generation');
    const cut = cutAtStopSequence(message.text, request.stop);
    return {
      text: cut.text,
      finishReason: cut.stopped ? 'stop' : finishReasonOf(message.response_metadata),
      usage: usageOf(message.usage_metadata),
    };
  }

  /**
   * The model's chunks as ragloom parts, then one finish part from the merged message's metadata. `merged`
   * collects them, so a stop sequence met early reports the usage known by then.
   */
  async function* modelParts(
    request: GenerateRequest,
    merged: { message?: AIMessageChunk },
  ): AsyncGenerator<GenerateStreamPart> {
    const { signal } = request;
    let iterator: AsyncIterator<AIMessageChunk> | undefined;
    try {
      const chunks = await modelFor(request).stream(messagesOf(request), callOptionsFor(request));
      iterator = chunks[Symbol.asyncIterator]();
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        // Chunks the model had already produced must not leak out after an abort.
        throwIfAborted(signal, 'generation');
        const chunk = next.value;
        merged.message = merged.message ? merged.message.concat(chunk) : chunk;
        yield { type: 'text-delta', delta: chunk.text };
      }
    } catch (error) {
      throw failure(error, signal);
    } finally {
      // Leaving early (a stop sequence, the consumer's break) ends the model's stream and its request.
      await iterator?.return?.().catch(() => undefined);
    }
    // LangChain ends a stream quietly when its signal fires; say why it ended.
    throwIfAborted(signal, 'generation');
    yield {
      type: 'finish',
      finishReason: finishReasonOf(merged.message?.response_metadata),
      usage: usageOf(merged.message?.usage_metadata),
    };
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    acceptGenerateRequest(request);
    const merged: { message?: AIMessageChunk } = {};
    yield* applyStopSequences(modelParts(request, merged), request, () =>
      usageOf(merged.message?.usage_metadata),
    );
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider,
    modelId: options.modelId,
    generate,
    stream,
  };
}
