import {
  type ChatMessage,
  collectGenerateStream,
  type FinishReason,
  type GenerateRequest,
  type GenerateStreamPart,
  type GeneratorV1,
  RagloomError,
} from '@ragloom/core';
import { acceptGenerateRequest, parseOptions } from '@ragloom/core/adapter';
import {
  DECODER_MODEL_FILE_NAMES,
  loadOnnxModel,
  type ModelTokenizer,
  type OnnxModel,
} from '@ragloom/onnx-model';
import { type ChatTemplate, createChatTemplate } from './chat-template.js';
import { type DecoderSpec, decoderSpecFrom } from './decoder-spec.js';
import { type GenerationDefaults, readGenerationDefaults } from './generation-config.js';
import { type GenerationEnd, type GenerationStep, runGeneration } from './generation-loop.js';
import { createKvCacheDecoder } from './kv-cache-decoder.js';
import {
  type OnnxGeneratorOptions,
  type OnnxProviderOptions,
  onnxGeneratorOptions,
} from './onnx-generator-options.js';
import { resolveSampling } from './sampling/resolve-sampling.js';

/** A token-level request: the prompt as ids, for evaluation and comparisons with other decoders. */
export interface TokenGenerationRequest extends Omit<GenerateRequest, 'messages' | 'stop'> {
  readonly inputIds: readonly number[];
  /** Called with each generated token id as soon as it is chosen (EOS included), like a transformers streamer. */
  readonly onToken?: (token: number) => void;
}

export interface OnnxGenerator extends GeneratorV1 {
  /** Longest prompt + output, in tokens. */
  readonly contextLength: number;
  readonly chatTemplate: ChatTemplate;
  readonly tokenizer: ModelTokenizer;
  readonly decoderSpec: DecoderSpec;
  readonly generationDefaults: GenerationDefaults;
  /** The prompt text a conversation becomes (the chat template's output). */
  renderPrompt(messages: readonly ChatMessage[]): string;
  /** The prompt token ids a conversation becomes. */
  encodePrompt(messages: readonly ChatMessage[]): number[];
  /** Generates token ids from token ids (EOS included when reached). */
  generateTokens(request: TokenGenerationRequest): Promise<{ tokens: number[]; finishReason: FinishReason }>;
  /** Releases the onnxruntime session. */
  close(): Promise<void>;
}

/**
 * Loads a decoder-only model exported in Hugging Face / Optimum layout (Llama, Qwen2, SmolLM, Phi, Mistral, ...)
 * from a local folder or a hub id, and returns a Generator that runs it on onnxruntime-node with a KV cache.
 *
 * @example
 * const generator = await createOnnxGenerator({ model: 'HuggingFaceTB/SmolLM2-360M-Instruct', dtype: 'q8' });
 */
export async function createOnnxGenerator(options: OnnxGeneratorOptions): Promise<OnnxGenerator>;
/** @deprecated Pass one object, as every adapter's factory takes: `createOnnxGenerator({ model, ...options })`. */
export async function createOnnxGenerator(
  model: string,
  options?: Omit<OnnxGeneratorOptions, 'model'>,
): Promise<OnnxGenerator>;
export async function createOnnxGenerator(
  first: string | OnnxGeneratorOptions,
  rest: Omit<OnnxGeneratorOptions, 'model'> = {},
): Promise<OnnxGenerator> {
  const input = typeof first === 'string' ? { ...rest, model: first } : first;
  const options = parseOptions(onnxGeneratorOptions, input, { component: 'createOnnxGenerator' });
  const { model } = options;
  const { contextLength: contextOverride, maxTokens: defaultMaxTokens, contextOverflow: overflow } = options;
  const promptLookup = options.promptLookup === true ? {} : options.promptLookup || undefined;
  const loaded: OnnxModel = await loadOnnxModel(model, { ...options, baseNames: DECODER_MODEL_FILE_NAMES });
  let spec: DecoderSpec;
  let chatTemplate: ChatTemplate;
  let defaults: GenerationDefaults;
  try {
    const limit =
      contextOverride !== undefined
        ? Math.min(contextOverride, loaded.maxLength ?? contextOverride)
        : loaded.maxLength;
    spec = decoderSpecFrom(loaded.config, loaded.graph, loaded.modelPath, limit);
    chatTemplate = createChatTemplate(loaded.tokenizerConfig, options.chatTemplate);
    defaults = readGenerationDefaults(
      loaded.generationConfig,
      loaded.config,
      loaded.tokenizer,
      loaded.tokenizerConfig,
    );
  } catch (error) {
    await loaded.close();
    throw error;
  }
  const { tokenizer } = loaded;
  const bosId = typeof loaded.config.bos_token_id === 'number' ? loaded.config.bos_token_id : undefined;
  const decode = (ids: readonly number[]) => tokenizer.decode(ids, { skipSpecialTokens: true });
  let closed = false;

  const encodePrompt = (messages: readonly ChatMessage[]): number[] => {
    const text = chatTemplate.render(messages);
    const ids = tokenizer.encode(text, { addSpecialTokens: chatTemplate.addSpecialTokens }).ids;
    if (ids.length === 0 && bosId !== undefined) return [bosId];
    return ids;
  };

  /** Applies the context policy; returns the prompt to feed and how many tokens may follow it. */
  function fitContext(
    promptIds: readonly number[],
    maxTokens: number | undefined,
  ): { ids: readonly number[]; maxNew: number } {
    const context = spec.contextLength;
    if (promptIds.length === 0) {
      throw new RagloomError(
        'INVALID_ARGUMENT',
        'the prompt has no tokens (and the model defines no BOS token)',
        {
          details: { field: 'messages' },
        },
      );
    }
    let ids = promptIds;
    if (ids.length >= context) {
      if (overflow === 'error') {
        throw new RagloomError(
          'CONTEXT_LENGTH_EXCEEDED',
          `the prompt is ${ids.length} tokens; ${model} takes ${context} including the reply. Shorten it or use contextOverflow: 'truncate-start'`,
          { details: { promptTokens: ids.length, contextLength: context } },
        );
      }
      const reserve = Math.min(maxTokens ?? defaultMaxTokens ?? Math.floor(context / 4), context - 1);
      const keep = context - reserve;
      const first = ids[0] as number;
      const keepsBos = first === bosId;
      ids = keepsBos ? [first, ...ids.slice(ids.length - (keep - 1))] : ids.slice(ids.length - keep);
    }
    const room = context - ids.length;
    const wanted = maxTokens ?? defaultMaxTokens ?? defaults.maxNewTokens ?? room;
    return { ids, maxNew: Math.min(wanted, room) };
  }

  async function* tokenStream(
    promptIds: readonly number[],
    request: Omit<GenerateRequest, 'messages'>,
  ): AsyncGenerator<GenerationStep, GenerationEnd & { promptTokens: number }> {
    if (closed) throw new RagloomError('INVALID_ARGUMENT', `the generator for ${model} was closed`);
    const onnxOptions = request.providerOptions?.onnx as OnnxProviderOptions | undefined;
    const sampling = resolveSampling(request, onnxOptions, defaults);
    const { ids, maxNew } = fitContext(promptIds, request.maxTokens);
    const end = yield* runGeneration({
      decoder: createKvCacheDecoder(loaded.session, spec),
      promptIds: ids,
      maxNewTokens: maxNew,
      eosTokenIds: defaults.eosTokenIds,
      sampling,
      vocabSize: spec.vocabSize,
      stop: request.stop,
      decode,
      signal: request.signal,
      contextLength: spec.contextLength,
      promptLookup,
    });
    return { ...end, promptTokens: ids.length };
  }

  async function* stream(request: GenerateRequest): AsyncGenerator<GenerateStreamPart> {
    acceptGenerateRequest(request);
    const steps = tokenStream(encodePrompt(request.messages), request);
    for (;;) {
      const next = await steps.next();
      if (next.done) {
        const end = next.value;
        if (end.text) yield { type: 'text-delta', delta: end.text };
        yield {
          type: 'finish',
          finishReason: end.finishReason,
          usage: {
            promptTokens: end.promptTokens,
            completionTokens: end.completionTokens,
            totalTokens: end.promptTokens + end.completionTokens,
          },
        };
        return;
      }
      if (next.value.text) yield { type: 'text-delta', delta: next.value.text };
    }
  }

  return {
    specificationVersion: 'v1',
    provider: 'onnx',
    modelId: options.modelId ?? model,
    contextLength: spec.contextLength,
    chatTemplate,
    tokenizer,
    decoderSpec: spec,
    generationDefaults: defaults,
    renderPrompt: (messages) => chatTemplate.render(messages),
    encodePrompt,
    stream,
    generate: (request) => collectGenerateStream(stream(request)),
    async generateTokens(request) {
      // Bad input before abort, as in `stream`; the rest is a chat request's check, with token ids for messages.
      const { inputIds } = request ?? {};
      if (
        !Array.isArray(inputIds) ||
        !inputIds.every((id) => Number.isInteger(id) && id >= 0 && id < spec.vocabSize)
      ) {
        throw new RagloomError('INVALID_ARGUMENT', `inputIds must be token ids in [0, ${spec.vocabSize})`, {
          details: { field: 'inputIds' },
        });
      }
      acceptGenerateRequest({ ...request, messages: [{ role: 'user', content: '' }] });
      const tokens: number[] = [];
      const steps = tokenStream(request.inputIds, request);
      for (;;) {
        const next = await steps.next();
        if (next.done) {
          // The EOS token is part of the output, as in transformers.
          if (next.value.eosToken !== undefined) {
            tokens.push(next.value.eosToken);
            request.onToken?.(next.value.eosToken);
          }
          return { tokens, finishReason: next.value.finishReason };
        }
        tokens.push(next.value.token);
        request.onToken?.(next.value.token);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      await loaded.close();
    },
  };
}
