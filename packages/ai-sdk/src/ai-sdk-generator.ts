import {
  abortError,
  createStopSequenceMatcher,
  type FinishReason,
  type GenerateRequest,
  type GenerateResult,
  type GenerateStreamPart,
  type GeneratorV1,
  isAbortError,
  RagloomError,
  throwIfAborted,
  validateGenerateRequest,
  withRetries,
} from '@ragloom/core';
import { parseOptions } from '@ragloom/core/adapter';
import { type AiSdkCallContext, toRagloomError } from './ai-sdk-error.js';
import { type AiSdkGeneratorOptions, aiSdkGeneratorOptions } from './ai-sdk-generator-options.js';
import type { AiSdkCallOptions, AiSdkStreamPart, AiSdkWarning } from './ai-sdk-model-types.js';
import { callOptionsFor, retryPolicy, warningText } from './call-options.js';
import { finishReasonOf, usageOf } from './map-model-result.js';

type ReadResult = Awaited<ReturnType<ReadableStreamDefaultReader<AiSdkStreamPart>['read']>>;

/** Reads the next part, or rejects with ABORTED as soon as the signal fires, even if the model's stream hangs. */
function readPart(
  reader: ReadableStreamDefaultReader<AiSdkStreamPart>,
  signal: AbortSignal | undefined,
): Promise<ReadResult> {
  if (!signal) return reader.read();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, 'generation'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    reader.read().then(
      (result) => {
        signal.removeEventListener('abort', onAbort);
        resolve(result);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

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
  const context: AiSdkCallContext = {
    provider: model.provider,
    modelId: model.modelId,
    operation: 'chat generation',
  };
  const policy = retryPolicy(options);
  const warn = (warnings: readonly AiSdkWarning[] | undefined) => {
    for (const warning of warnings ?? []) options.onWarning?.(warningText(warning, context));
  };

  /** One model call, retried on retryable failures; an abort is ABORTED whatever the provider threw. */
  function call<T>(request: GenerateRequest, run: (callOptions: AiSdkCallOptions) => PromiseLike<T>) {
    const callOptions = callOptionsFor(request, options.headers);
    return withRetries(
      policy,
      request.signal,
      async () => {
        try {
          return await run(callOptions);
        } catch (error) {
          if (request.signal?.aborted || isAbortError(error)) throw abortError(request.signal, 'generation');
          throw toRagloomError(error, context);
        }
      },
      undefined,
      'generation',
    );
  }

  async function generate(request: GenerateRequest): Promise<GenerateResult> {
    validateGenerateRequest(request);
    throwIfAborted(request.signal, 'generation');
    const result = await call(request, (callOptions) => model.doGenerate(callOptions));
    warn(result.warnings);
    const text = result.content.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
    // Providers cap how many stop sequences they take, and some ignore them: every one is matched here too.
    const stops = createStopSequenceMatcher(request.stop);
    const pushed = stops.push(text);
    const reason = finishReasonOf(result.finishReason, context);
    return {
      text: pushed.text + stops.flush(),
      finishReason: pushed.stopped ? 'stop' : reason,
      usage: usageOf(result.usage),
    };
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    validateGenerateRequest(request);
    throwIfAborted(request.signal, 'generation');
    const { signal } = request;
    const { stream: parts } = await call(request, (callOptions) => model.doStream(callOptions));
    const reader = parts.getReader();
    const stops = createStopSequenceMatcher(request.stop);
    let finish: { finishReason: FinishReason; usage: ReturnType<typeof usageOf> } | undefined;
    let done = false;
    try {
      while (finish === undefined) {
        let next: ReadResult;
        try {
          next = await readPart(reader, signal);
        } catch (error) {
          if (signal?.aborted || isAbortError(error)) throw abortError(signal, 'generation');
          throw toRagloomError(error, context);
        }
        if (next.done) {
          done = true;
          break;
        }
        // Parts the provider had already buffered must not leak out after an abort.
        throwIfAborted(signal, 'generation');
        const part = next.value;
        if (part.type === 'text-delta' && 'delta' in part) {
          const { text, stopped } = stops.push(part.delta);
          if (text) yield { type: 'text-delta', delta: text };
          if (stopped) finish = { finishReason: 'stop', usage: usageOf(undefined) };
        } else if (part.type === 'finish' && 'finishReason' in part) {
          finish = { finishReason: finishReasonOf(part.finishReason, context), usage: usageOf(part.usage) };
        } else if (part.type === 'error' && 'error' in part) {
          throw toRagloomError(part.error, context);
        } else if (part.type === 'stream-start' && 'warnings' in part) {
          warn(part.warnings);
        }
      }
    } finally {
      // Leaving early (a stop sequence, an abort, the consumer's break) cancels the provider's request.
      if (!done) await reader.cancel().catch(() => {});
      reader.releaseLock();
    }
    throwIfAborted(signal, 'generation');
    if (finish === undefined) {
      throw new RagloomError(
        'UPSTREAM_ERROR',
        `${context.provider} (model ${context.modelId}) ended the stream without a finish part`,
        { retryable: true },
      );
    }
    const rest = stops.flush();
    if (rest) yield { type: 'text-delta', delta: rest };
    yield { type: 'finish', ...finish };
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider ?? model.provider,
    modelId: options.modelId ?? model.modelId,
    generate,
    stream,
  };
}
