import type {
  OpenAICompatibleChatLanguageModel,
  OpenAICompatibleEmbeddingModel,
} from '@ai-sdk/openai-compatible';
import type { EmbeddingModelV3, LanguageModelV3 } from '@ai-sdk/provider';
import type { Tool } from 'ai';
import type {
  OpenAICompatibleChatLanguageModel as ChatModelV7,
  OpenAICompatibleEmbeddingModel as EmbeddingModelV7,
} from 'ai-sdk-openai-compatible-v3';
import type { Tool as ToolV7 } from 'ai-v7';
import type { MockEmbeddingModelV4, MockLanguageModelV4 } from 'ai-v7/test';
import { describe, expect, test } from 'vitest';
import type { AiSdkEmbeddingModel, AiSdkLanguageModel, RagloomSearchTool } from '../src/index.js';

// Compile-time proofs (`pnpm typecheck` fails if one breaks): the SDKs' own model types, from AI SDK 6 (V3) and
// AI SDK 7 (V4), are assignable to the structural types the adapters accept, and the search tool is an AI SDK
// Tool of both majors. No casts: each function returns its argument as the target type.
const languageModels = {
  v3: (model: LanguageModelV3): AiSdkLanguageModel => model,
  openaiCompatibleV2: (model: OpenAICompatibleChatLanguageModel): AiSdkLanguageModel => model,
  v4: (model: MockLanguageModelV4): AiSdkLanguageModel => model,
  openaiCompatibleV3: (model: ChatModelV7): AiSdkLanguageModel => model,
};
const embeddingModels = {
  v3: (model: EmbeddingModelV3): AiSdkEmbeddingModel => model,
  openaiCompatibleV2: (model: OpenAICompatibleEmbeddingModel): AiSdkEmbeddingModel => model,
  v4: (model: MockEmbeddingModelV4): AiSdkEmbeddingModel => model,
  openaiCompatibleV3: (model: EmbeddingModelV7): AiSdkEmbeddingModel => model,
};
const tools = {
  v6: (tool: RagloomSearchTool): Tool => tool,
  v7: (tool: RagloomSearchTool): ToolV7 => tool,
};

describe('structural model types', () => {
  test('cover AI SDK 6 and 7 models (checked by the compiler; listed here so the proofs are not dead code)', () => {
    expect(Object.keys(languageModels)).toHaveLength(4);
    expect(Object.keys(embeddingModels)).toHaveLength(4);
    expect(Object.keys(tools)).toHaveLength(2);
  });
});
