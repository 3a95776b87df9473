export {
  type ChatTemplate,
  type ChatTemplateOption,
  createChatTemplate,
  renderPlainPrompt,
} from './chat-template.js';
export { type DecoderSpec, decoderSpecFrom } from './decoder-spec.js';
export { type GenerationDefaults, readGenerationDefaults } from './generation-config.js';
export { createKvCacheDecoder, type KvCacheDecoder } from './kv-cache-decoder.js';
export { createOnnxGenerator, type OnnxGenerator, type TokenGenerationRequest } from './onnx-generator.js';
export {
  type OnnxGeneratorOptions,
  type OnnxProviderOptions,
  onnxGeneratorOptions,
  type ParsedOnnxGeneratorOptions,
} from './onnx-generator-options.js';
export { type PromptLookupOptions, promptLookupDraft } from './prompt-lookup.js';
export { onnxGeneratorPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
export type { SamplingParams } from './sampling/sampling-params.js';
export { createSeededRandom, type RandomSource } from './sampling/seeded-random.js';
export {
  applyRepetitionPenalty,
  argmax,
  candidateDistribution,
  createTokenSampler,
  drawInTokenOrder,
  type TokenSampler,
} from './sampling/token-sampler.js';
export { createStreamDetokenizer, type DecodeTokens, type StreamDetokenizer } from './stream-detokenizer.js';
