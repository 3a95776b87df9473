import { describeGeneratorConformance } from '@ragloom/conformance';
import { createOpenAIGenerator } from '../src/index.js';
import { startFakeOpenAIServer } from './support/fake-openai-server.js';

describeGeneratorConformance({
  name: 'generator-openai (local OpenAI-protocol server, events split every 5 bytes)',
  create: async () => {
    const server = await startFakeOpenAIServer({ apiKey: 'sk-conformance', chunkBytes: 5 });
    const generator = createOpenAIGenerator({
      model: 'fake-model',
      baseURL: server.baseURL,
      apiKey: 'sk-conformance',
    });
    return { ...generator, close: () => server.close() };
  },
});
