import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import {
  createHashingEncoder,
  createTemplateGenerator,
  type EncoderV1,
  type GeneratorV1,
} from '@ragloom/core';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '@ragloom/test-utils';
import type { GenerationSettings } from '../../src/index.js';

const KEY = 'sk-langchain-test';
export const CHAT_MODEL = 'ragloom-template';
export const EMBEDDING_MODEL = 'ragloom-hashing-64';
export const DIMENSION = 64;

export interface LocalOpenAI {
  readonly server: OpenAICompatibleServer;
  /** What answers behind the API (core's reference generator and hashing encoder): the peer to compare with. */
  readonly generator: GeneratorV1;
  readonly encoder: EncoderV1;
  /** `@langchain/openai`'s chat model against the server, with these generation settings. */
  chatModel(settings?: GenerationSettings): ChatOpenAI;
  embeddings(batchSize: number): OpenAIEmbeddings;
  close(): Promise<void>;
}

/** A local OpenAI-compatible server on 127.0.0.1, and LangChain's OpenAI classes pointed at it. */
export async function startLocalOpenAI(options: { maxEmbeddingInputs?: number } = {}): Promise<LocalOpenAI> {
  const generator = createTemplateGenerator({ modelId: CHAT_MODEL, tokenDelayMs: 1 });
  const encoder: EncoderV1 = { ...createHashingEncoder({ dimension: DIMENSION }), modelId: EMBEDDING_MODEL };
  const server = await startOpenAICompatibleServer({
    chat: generator,
    embeddings: encoder,
    apiKey: KEY,
    maxEmbeddingInputs: options.maxEmbeddingInputs,
  });
  const configuration = { baseURL: server.baseURL };
  return {
    server,
    generator,
    encoder,
    chatModel: (s = {}) =>
      new ChatOpenAI({
        model: CHAT_MODEL,
        apiKey: KEY,
        configuration,
        maxRetries: 0,
        streamUsage: true,
        ...(s.maxTokens !== undefined ? { maxTokens: s.maxTokens } : {}),
        ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
        ...(s.topP !== undefined ? { topP: s.topP } : {}),
        ...(s.seed !== undefined ? { modelKwargs: { seed: s.seed } } : {}),
      }),
    embeddings: (batchSize) =>
      new OpenAIEmbeddings({ model: EMBEDDING_MODEL, apiKey: KEY, configuration, batchSize, maxRetries: 0 }),
    close: () => server.close(),
  };
}
