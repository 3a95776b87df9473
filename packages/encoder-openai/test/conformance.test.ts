import { describeEncoderConformance } from '@ragloom/conformance';
import { afterAll, beforeAll } from 'vitest';
import { createOpenAIEncoder } from '../src/index.js';
import { API_KEY, type FakeOpenAIServer, startFakeOpenAIServer } from './fake-openai-server.js';

let server: FakeOpenAIServer;
beforeAll(async () => {
  server = await startFakeOpenAIServer();
  // Answers to concurrent requests come back out of order, as from a real, busy endpoint.
  server.jitterMs = 8;
});
afterAll(() => server.close());

describeEncoderConformance({
  name: 'openai (local /v1/embeddings)',
  create: () =>
    createOpenAIEncoder({
      model: 'text-embedding-3-small',
      dimensions: 256,
      baseURL: server.url,
      apiKey: API_KEY,
      maxBatchSize: 4,
    }),
  tolerance: 1e-6,
  longInputChars: 100_000,
});
