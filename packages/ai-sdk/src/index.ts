export { createAiSdkEncoder } from './ai-sdk-encoder.js';
export {
  type AiSdkEncoderOptions,
  aiSdkEncoderOptions,
  type ParsedAiSdkEncoderOptions,
} from './ai-sdk-encoder-options.js';
export { type AiSdkCallContext, toRagloomError } from './ai-sdk-error.js';
export { createAiSdkGenerator } from './ai-sdk-generator.js';
export {
  type AiSdkGeneratorOptions,
  aiSdkGeneratorOptions,
  type ParsedAiSdkGeneratorOptions,
} from './ai-sdk-generator-options.js';
export type {
  AiSdkCallOptions,
  AiSdkEmbeddingModel,
  AiSdkLanguageModel,
  AiSdkPromptMessage,
  AiSdkStreamPart,
} from './ai-sdk-model-types.js';
export {
  type AiSdkDocumentSource,
  citationSources,
  type PassageJson,
  passageSources,
} from './passage-json.js';
export {
  type RagloomSearchInput,
  type RagloomSearchOutput,
  type RagloomSearchTool,
  type RagloomSearchToolOptions,
  ragloomSearchTool,
  ragloomSearchToolOptions,
  type ToolInputSchema,
} from './ragloom-search-tool.js';
