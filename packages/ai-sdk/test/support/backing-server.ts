import {
  createHashingEncoder,
  createTemplateGenerator,
  type EncoderV1,
  type GeneratorV1,
} from '@ragloom/core';
import { type OpenAICompatibleServer, startOpenAICompatibleServer } from '@ragloom/test-utils';

export const API_KEY = 'sk-ragloom-test';
export const CHAT_MODEL = 'ragloom-template';
export const EMBEDDING_MODEL = 'ragloom-hashing-64';
export const DIMENSION = 64;

export interface BackingServer {
  readonly server: OpenAICompatibleServer;
  /** The components that answer behind the HTTP API: the peer the adapters' output is compared with. */
  readonly generator: GeneratorV1;
  readonly encoder: EncoderV1;
  close(): Promise<void>;
}

/**
 * An OpenAI-compatible server on 127.0.0.1 whose chat model is core's reference template generator (one token
 * per word, 1 ms apart, so aborts land mid-stream) and whose embedding model is core's hashing encoder. The AI
 * SDK's own OpenAI-compatible provider talks to it over real HTTP and SSE.
 */
export async function startBackingServer(
  options: { maxEmbeddingInputs?: number } = {},
): Promise<BackingServer> {
  const generator = createTemplateGenerator({ modelId: CHAT_MODEL, tokenDelayMs: 1 });
  const hashing = createHashingEncoder({ dimension: DIMENSION });
  const encoder: EncoderV1 = { ...hashing, modelId: EMBEDDING_MODEL };
  const server = await startOpenAICompatibleServer({
    chat: generator,
    embeddings: encoder,
    apiKey: API_KEY,
    maxEmbeddingInputs: options.maxEmbeddingInputs,
  });
  return { server, generator, encoder, close: () => server.close() };
}
