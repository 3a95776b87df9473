import {
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type GeneratorV1,
  RagloomError,
  throwIfAborted,
  validateGenerateRequest,
} from '@ragloom/core';
import { applyStopSequences, cutAtStopSequence, parseOptions, raceAbort } from '@ragloom/core/adapter';
import { toRagloomError } from './ai-sdk-error.js';
import { type AiSdkGeneratorOptions, aiSdkGeneratorOptions } from './ai-sdk-generator-options.js';
import type { AiSdkStreamPart } from './ai-sdk-model-types.js';
import { modelCalls } from './call-model.js';
import { callOptionsFor } from './call-options.js';
import { finishReasonOf, usageOf } from './map-model-result.js';

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<AiSdkStreamPart>['read']>>;

/**
 * Any AI SDK language model as a ragloom Generator: `@ai-sdk/openai`, `@ai-sdk/anthropic`, `@ai-sdk/google`,
 * `@ai-sdk/openai-compatible` (vLLM, llama.cpp, Ollama), the AI Gateway, or a model wrapped in middleware.
 * It calls the provider spec directly (`doGenerate`/`doStream`), so AI SDK 6 (LanguageModelV3) and AI SDK 7
 * (LanguageModelV4) models both work; retries, stop sequences, abort, usage and finish reasons follow ragloom's
 * Generator contract.
 */
export function createAiSdkGenerator(input: AiSdkGeneratorOptions): GeneratorV1 {
  const options = parseOptions(aiSdkGeneratorOptions, input, { component: 'createAiSdkGenerator' });
  const { model } = options;
  const calls = modelCalls(model, options, 'chat generation');
  const { context } = calls;

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    validateGenerateRequest(request);
    throwIfAborted(request.signal, 'generation');
    const result = await calls.call(request.signal, () =>
      model.doGenerate(callOptionsFor(request, options.headers)),
    );
    calls.warn(result.warnings);
    const text = result.content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
    // Providers cap how many stop sequences they take, and some ignore them: every one is matched here too.
    const cut = cutAtStopSequence(text, request.stop);
    const reason = finishReasonOf(result.finishReason, context);
    return { text: cut.text, finishReason: cut.stopped ? 'stop' : reason, usage: usageOf(result.usage) };
  }

  /** The model's stream parts as ragloom's: text deltas, then one finish part; cancelled when left early. */
  async function* modelParts(
    parts: ReadableStream<AiSdkStreamPart>,
    signal: AbortSignal | undefined,
  ): AsyncGenerator<GenerateStreamPart> {
    const reader = parts.getReader();
    let done = false;
    try {
      for (;;) {
        let next: ReadResult;
        try {
          // Rejects with ABORTED as soon as the signal fires, even if the model's stream hangs.
          next = await raceAbort(reader.read(), signal, 'generation');
        } catch (error) {
          throw calls.failure(error, signal);
        }
        if (next.done) {
          done = true;
          break;
        }
        // Parts the provider had already buffered must not leak out after an abort.
        throwIfAborted(signal, 'generation');
        const part = next.value;
        if (part.type === 'text-delta' && 'delta' in part) {
          yield { type: 'text-delta', delta: part.delta };
        } else if (part.type === 'finish' && 'finishReason' in part) {
          const finishReason = finishReasonOf(part.finishReason, context);
          yield { type: 'finish', finishReason, usage: usageOf(part.usage) };
          return;
        } else if (part.type === 'error' && 'error' in part) {
          throw toRagloomError(part.error, context);
        } else if (part.type === 'stream-start' && 'warnings' in part) {
          calls.warn(part.warnings);
        }
      }
    } finally {
      // Leaving early (a stop sequence, an abort, the consumer's break) cancels the provider's request.
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    throw new RagloomError(
      'UPSTREAM_ERROR',
      `${context.provider} (model ${context.modelId}) ended the stream without a finish part`,
      { retryable: true },
    );
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    validateGenerateRequest(request);
    throwIfAborted(request.signal, 'generation');
    const { stream: parts } = await calls.call(request.signal, () =>
      model.doStream(callOptionsFor(request, options.headers)),
    );
    // A stop sequence met before the finish part: the usage the provider would report is not known yet.
    yield* applyStopSequences(modelParts(parts, request.signal), request, () => usageOf(undefined));
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider ?? model.provider,
    modelId: options.modelId ?? model.modelId,
    generate,
    stream,
  };
}
