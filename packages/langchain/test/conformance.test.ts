import { describeEncoderConformance, describeGeneratorConformance } from '@ragloom/conformance';
import { createLangChainEncoder, createLangChainGenerator } from '../src/index.js';
import { DIMENSION, startLocalOpenAI } from './support/local-openai.js';

// LangChain's own OpenAI integration (@langchain/openai: ChatOpenAI, OpenAIEmbeddings) against a local
// OpenAI-compatible server, over real HTTP and SSE.

describeGeneratorConformance({
  name: 'langchain generator (ChatOpenAI, local server)',
  create: async () => {
    const local = await startLocalOpenAI();
    const generator = createLangChainGenerator({
      model: local.chatModel(),
      withSettings: (settings) => local.chatModel(settings),
      modelId: 'openai:ragloom-template',
    });
    return { ...generator, close: () => local.close() };
  },
});

describeEncoderConformance({
  name: 'langchain encoder (OpenAIEmbeddings, batches of 4, local server)',
  create: async () => {
    const local = await startLocalOpenAI({ maxEmbeddingInputs: 4 });
    const encoder = createLangChainEncoder({
      embeddings: local.embeddings(4),
      dimension: DIMENSION,
      maxBatchSize: 16,
    });
    return { ...encoder, close: () => local.close() };
  },
});
