import { createOpenAICompatible, OpenAICompatibleEmbeddingModel } from '@ai-sdk/openai-compatible';
import { describeEncoderConformance, describeGeneratorConformance } from '@ragloom/conformance';
import { createAiSdkEncoder, createAiSdkGenerator } from '../src/index.js';
import {
  API_KEY,
  CHAT_MODEL,
  DIMENSION,
  EMBEDDING_MODEL,
  startBackingServer,
} from './support/backing-server.js';

// AI SDK 6 (LanguageModelV3 / EmbeddingModelV3) through its own OpenAI-compatible provider, over HTTP and SSE,
// against a local server. test/ai-sdk-7.test.ts runs the same suites with AI SDK 7 on Node >= 22.

describeGeneratorConformance({
  name: 'ai-sdk generator (AI SDK 6, @ai-sdk/openai-compatible, local server)',
  create: async () => {
    const backing = await startBackingServer();
    const provider = createOpenAICompatible({
      name: 'local',
      baseURL: backing.server.baseURL,
      apiKey: API_KEY,
      includeUsage: true,
    });
    const generator = createAiSdkGenerator({ model: provider.chatModel(CHAT_MODEL), maxRetries: 0 });
    return { ...generator, close: () => backing.close() };
  },
});

describeEncoderConformance({
  name: 'ai-sdk encoder (AI SDK 6, @ai-sdk/openai-compatible, 4 inputs per call, local server)',
  create: async () => {
    // The server refuses more than 4 inputs per request, and the model says so: every batch must respect it.
    const backing = await startBackingServer({ maxEmbeddingInputs: 4 });
    const model = new OpenAICompatibleEmbeddingModel(EMBEDDING_MODEL, {
      provider: 'local.embedding',
      url: ({ path }) => `${backing.server.baseURL}${path}`,
      headers: () => ({ authorization: `Bearer ${API_KEY}` }),
      maxEmbeddingsPerCall: 4,
      supportsParallelCalls: true,
    });
    const encoder = createAiSdkEncoder({ model, dimension: DIMENSION, concurrency: 3, maxRetries: 0 });
    return { ...encoder, close: () => backing.close() };
  },
});
