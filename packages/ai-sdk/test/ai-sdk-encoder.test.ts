import { OpenAICompatibleEmbeddingModel } from '@ai-sdk/openai-compatible';
import { createHashingEncoder, normalize } from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { MockEmbeddingModelV3 } from 'ai/test';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { splitBatches } from '../src/ai-sdk-encoder.js';
import { createAiSdkEncoder } from '../src/index.js';
import {
  API_KEY,
  type BackingServer,
  DIMENSION,
  EMBEDDING_MODEL,
  startBackingServer,
} from './support/backing-server.js';

const TEXTS = [
  'The cat sat on the mat.',
  '北京是中国的首都。',
  'RAG grounds answers in documents.',
  'hi',
  'A',
  '🙂 ok',
];

/** A mock whose vectors are core's hashing encoder's, recording each call's size and how many overlapped. */
function hashingMock(
  settings: {
    maxEmbeddingsPerCall?: number | PromiseLike<number>;
    parallel?: boolean;
    delayMs?: number;
  } = {},
) {
  const hashing = createHashingEncoder({ dimension: 16 });
  const calls: number[] = [];
  const flight = { now: 0, max: 0 };
  const model = new MockEmbeddingModelV3({
    provider: 'mock.embedding',
    modelId: 'hash-16',
    maxEmbeddingsPerCall: settings.maxEmbeddingsPerCall ?? 3,
    supportsParallelCalls: settings.parallel ?? true,
    doEmbed: async ({ values }) => {
      calls.push(values.length);
      flight.now++;
      flight.max = Math.max(flight.max, flight.now);
      await new Promise((r) => setTimeout(r, settings.delayMs ?? 5));
      flight.now--;
      const { embeddings } = await hashing.embed({ texts: values, inputType: 'document' });
      return {
        embeddings: embeddings.map((v) => Array.from(v)),
        usage: { tokens: values.length * 2 },
        warnings: [],
      };
    },
  });
  return { model, calls, flight, hashing };
}

describe('createAiSdkEncoder over @ai-sdk/openai-compatible (AI SDK 6) and a local server', () => {
  let backing: BackingServer;
  beforeAll(async () => {
    backing = await startBackingServer({ maxEmbeddingInputs: 2 });
  });
  afterAll(() => backing.close());

  const model = (maxEmbeddingsPerCall: number) =>
    new OpenAICompatibleEmbeddingModel(EMBEDDING_MODEL, {
      provider: 'local.embedding',
      url: ({ path }) => `${backing.server.baseURL}${path}`,
      headers: () => ({ authorization: `Bearer ${API_KEY}` }),
      maxEmbeddingsPerCall,
    });

  test('returns the vectors of the model behind the API, in order, in batches the server accepts', async () => {
    const encoder = createAiSdkEncoder({ model: model(2), dimension: DIMENSION });
    const before = backing.server.requests.length;
    const { embeddings, usage } = await encoder.embed({ texts: TEXTS, inputType: 'document' });
    const peer = await backing.encoder.embed({ texts: TEXTS, inputType: 'document' });
    expect(embeddings).toEqual(peer.embeddings);
    const sizes = backing.server.requests.slice(before).map((r) => (r.body.input as string[]).length);
    expect(sizes).toEqual([2, 2, 2]);
    expect(usage?.tokens).toBeGreaterThan(0);
    expect(encoder).toMatchObject({
      modelId: `local.embedding:${EMBEDDING_MODEL}`,
      maxBatchSize: 2,
      dimension: DIMENSION,
    });
  });

  test('a model that claims a larger limit than the server takes fails clearly (the 400 is INVALID_ARGUMENT)', async () => {
    const encoder = createAiSdkEncoder({ model: model(10), dimension: DIMENSION, maxRetries: 0 });
    const error = await rejectionOf(encoder.embed({ texts: TEXTS, inputType: 'document' }));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('maximum 2 inputs');
  });

  test('the wrong dimension is DIMENSION_MISMATCH naming both lengths', async () => {
    const encoder = createAiSdkEncoder({ model: model(2), dimension: 32 });
    const error = await rejectionOf(encoder.embed({ texts: ['x'], inputType: 'query' }));
    expect(error.code).toBe('DIMENSION_MISMATCH');
    expect(error.details).toMatchObject({ expected: 32, actual: DIMENSION });
  });
});

describe('createAiSdkEncoder with the AI SDK mock embedding model', () => {
  test('batches never exceed maxEmbeddingsPerCall, even when it is a promise', async () => {
    for (const limit of [3, Promise.resolve(2)]) {
      const { model, calls, hashing } = hashingMock({ maxEmbeddingsPerCall: limit });
      const encoder = createAiSdkEncoder({ model, dimension: 16 });
      const texts = Array.from({ length: 7 }, (_, i) => `text number ${i}`);
      const { embeddings, usage } = await encoder.embed({ texts, inputType: 'document' });
      expect(embeddings).toEqual((await hashing.embed({ texts, inputType: 'document' })).embeddings);
      const max = await limit;
      expect(calls.every((n) => n <= max)).toBe(true);
      expect(calls.reduce((a, b) => a + b, 0)).toBe(7);
      expect(usage).toEqual({ tokens: 14 });
    }
  });

  test('maxBatchSize lowers the batch further; the model limit still applies', async () => {
    const { model, calls } = hashingMock({ maxEmbeddingsPerCall: 3 });
    const encoder = createAiSdkEncoder({ model, dimension: 16, maxBatchSize: 10 });
    expect(encoder.maxBatchSize).toBe(3);
    await encoder.embed({ texts: TEXTS, inputType: 'document' });
    expect(calls).toEqual([3, 3]);
    const smaller = hashingMock({ maxEmbeddingsPerCall: 3 });
    await createAiSdkEncoder({ model: smaller.model, dimension: 16, maxBatchSize: 2 }).embed({
      texts: TEXTS,
      inputType: 'document',
    });
    expect(smaller.calls).toEqual([2, 2, 2]);
  });

  test("the model's byte limit per call (the AI SDK's maxInputBytesPerCall) splits batches as embedMany does", async () => {
    expect(splitBatches(['aaaa', 'bb', 'cc', 'dddddd', 'e'], 10, 5)).toEqual([
      ['aaaa'],
      ['bb', 'cc'],
      ['dddddd'],
      ['e'],
    ]);
    expect(splitBatches(['北京', 'ab'], 10, 6)).toEqual([['北京'], ['ab']]);
    const { model, calls } = hashingMock({ maxEmbeddingsPerCall: 100 });
    Object.defineProperty(model, Symbol.for('vercel.ai.embeddingModel.maxInputBytesPerCall'), { value: 30 });
    await createAiSdkEncoder({ model, dimension: 16 }).embed({ texts: TEXTS, inputType: 'document' });
    expect(calls.length).toBeGreaterThan(1);
  });

  test('batches run `concurrency` at a time only when the model supports parallel calls', async () => {
    const parallel = hashingMock({ maxEmbeddingsPerCall: 1, parallel: true, delayMs: 10 });
    await createAiSdkEncoder({ model: parallel.model, dimension: 16, concurrency: 3 }).embed({
      texts: TEXTS,
      inputType: 'document',
    });
    expect(parallel.flight.max).toBe(3);
    const serial = hashingMock({ maxEmbeddingsPerCall: 1, parallel: false, delayMs: 10 });
    await createAiSdkEncoder({ model: serial.model, dimension: 16, concurrency: 3 }).embed({
      texts: TEXTS,
      inputType: 'document',
    });
    expect(serial.flight.max).toBe(1);
  });

  test('prompts go before queries and documents; normalize gives unit vectors', async () => {
    const { model, hashing } = hashingMock();
    const encoder = createAiSdkEncoder({
      model,
      dimension: 16,
      prompts: { query: 'query: ', document: 'passage: ' },
      normalize: true,
    });
    expect(encoder.normalized).toBe(true);
    const [q] = (await encoder.embed({ texts: ['red ball'], inputType: 'query' })).embeddings;
    const [d] = (await encoder.embed({ texts: ['red ball'], inputType: 'document' })).embeddings;
    const peer = await hashing.embed({
      texts: ['query: red ball', 'passage: red ball'],
      inputType: 'document',
    });
    expect(q).toEqual(normalize(peer.embeddings[0]!));
    expect(d).toEqual(normalize(peer.embeddings[1]!));
    expect(model.doEmbedCalls.map((c) => c.values)).toEqual([['query: red ball'], ['passage: red ball']]);
  });

  test('over-long texts are cut to maxInputChars without splitting a surrogate pair', async () => {
    const { model } = hashingMock();
    await createAiSdkEncoder({ model, dimension: 16, maxInputChars: 5 }).embed({
      texts: ['abcd🙂xyz', 'abcdefgh'],
      inputType: 'document',
    });
    expect(model.doEmbedCalls[0]!.values).toEqual(['abcd', 'abcde']);
  });

  test('a wrong number of vectors or a non-finite value is an UPSTREAM_ERROR', async () => {
    const short = new MockEmbeddingModelV3({
      maxEmbeddingsPerCall: 10,
      doEmbed: async () => ({ embeddings: [[1, 2]], warnings: [] }),
    });
    expect(
      (
        await rejectionOf(
          createAiSdkEncoder({ model: short, dimension: 2 }).embed({ texts: ['a', 'b'], inputType: 'query' }),
        )
      ).code,
    ).toBe('UPSTREAM_ERROR');
    const nan = new MockEmbeddingModelV3({
      doEmbed: async () => ({ embeddings: [[1, Number.NaN]], warnings: [] }),
    });
    expect(
      (
        await rejectionOf(
          createAiSdkEncoder({ model: nan, dimension: 2 }).embed({ texts: ['a'], inputType: 'query' }),
        )
      ).code,
    ).toBe('UPSTREAM_ERROR');
  });

  test('no call for an empty request; an aborted signal is ABORTED before any call', async () => {
    const { model, calls } = hashingMock();
    const encoder = createAiSdkEncoder({ model, dimension: 16 });
    expect(await encoder.embed({ texts: [], inputType: 'query' })).toEqual({ embeddings: [] });
    const controller = new AbortController();
    controller.abort();
    expect(
      (await rejectionOf(encoder.embed({ texts: ['x'], inputType: 'query', signal: controller.signal })))
        .code,
    ).toBe('ABORTED');
    expect(calls).toEqual([]);
  });
});
