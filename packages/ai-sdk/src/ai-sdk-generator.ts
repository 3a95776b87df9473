import type { GenerateRequest, GenerateResult, GenerateStreamPart, GeneratorV1 } from '@ragloom/core';
import {
  acceptGenerateRequest,
  applyStopSequences,
  cutAtStopSequence,
  parseOptions,
} from '@ragloom/core/adapter';
import { type AiSdkGeneratorOptions, aiSdkGeneratorOptions } from './ai-sdk-generator-options.js';
import { ragloomStreamParts } from './ai-sdk-stream-parts.js';
import { modelCalls } from './call-model.js';
import { callOptionsFor } from './call-options.js';
import { finishReasonOf, usageOf } from './map-model-result.js';

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
    acceptGenerateRequest(request);
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

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    acceptGenerateRequest(request);
    const { stream: parts } = await calls.call(request.signal, () =>
      model.doStream(callOptionsFor(request, options.headers)),
    );
    // A stop sequence met before the finish part: the usage the provider would report is not known yet.
    yield* applyStopSequences(ragloomStreamParts(parts, request.signal, calls), request, () =>
      usageOf(undefined),
    );
  }

  return {
    specificationVersion: 'v1',
    provider: options.provider ?? model.provider,
    modelId: options.modelId ?? model.modelId,
    generate,
    stream,
  };
}
