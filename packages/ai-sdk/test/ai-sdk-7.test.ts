import { describeEncoderConformance, describeGeneratorConformance } from '@ragloom/conformance';
import {
  createHashingEncoder,
  createMemoryVectorRetriever,
  createPipeline,
  type GenerateRequest,
  type Pipeline,
} from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  createAiSdkEncoder,
  createAiSdkGenerator,
  type RagloomSearchOutput,
  ragloomSearchTool,
} from '../src/index.js';
import {
  API_KEY,
  CHAT_MODEL,
  DIMENSION,
  EMBEDDING_MODEL,
  startBackingServer,
} from './support/backing-server.js';

// AI SDK 7 (LanguageModelV4 / EmbeddingModelV4) needs Node >= 22; its packages are loaded only there. CI runs this
// file on Node 22 and 24 (run.mjs node-matrix); on Node 20 it is reported as skipped.
const nodeMajor = Number(process.versions.node.split('.')[0]);
const onNode22 = nodeMajor >= 22;
const reason = `AI SDK 7 needs Node >= 22 (this is ${process.version})`;

const loadV7 = async () => ({
  ai: await import('ai-v7'),
  test: await import('ai-v7/test'),
  compatible: await import('ai-sdk-openai-compatible-v3'),
});

describe.skipIf(!onNode22)(`AI SDK 7 — ${onNode22 ? 'Node >= 22' : reason}`, () => {
  describeGeneratorConformance({
    name: 'ai-sdk generator (AI SDK 7, @ai-sdk/openai-compatible 3, local server)',
    create: async () => {
      const { compatible } = await loadV7();
      const backing = await startBackingServer();
      const provider = compatible.createOpenAICompatible({
        name: 'local',
        baseURL: backing.server.baseURL,
        apiKey: API_KEY,
        includeUsage: true,
      });
      const model = provider.chatModel(CHAT_MODEL);
      expect(model.specificationVersion).toBe('v4');
      const generator = createAiSdkGenerator({ model, maxRetries: 0 });
      return { ...generator, close: () => backing.close() };
    },
  });

  describeEncoderConformance({
    name: 'ai-sdk encoder (AI SDK 7, @ai-sdk/openai-compatible 3, 4 inputs per call, local server)',
    create: async () => {
      const { compatible } = await loadV7();
      const backing = await startBackingServer({ maxEmbeddingInputs: 4 });
      const model = new compatible.OpenAICompatibleEmbeddingModel(EMBEDDING_MODEL, {
        provider: 'local.embedding',
        url: ({ path }) => `${backing.server.baseURL}${path}`,
        headers: () => ({ authorization: `Bearer ${API_KEY}` }),
        maxEmbeddingsPerCall: 4,
        supportsParallelCalls: true,
      });
      expect(model.specificationVersion).toBe('v4');
      const encoder = createAiSdkEncoder({ model, dimension: DIMENSION, concurrency: 3, maxRetries: 0 });
      return { ...encoder, close: () => backing.close() };
    },
  });

  describe('generateText (AI SDK 7) with the ragloom search tool', () => {
    let pipeline: Pipeline;
    beforeAll(async () => {
      const encoder = createHashingEncoder({ dimension: 128 });
      pipeline = createPipeline({
        encoder,
        retrievers: [
          createMemoryVectorRetriever({ dimension: encoder.dimension, encoderModelId: encoder.modelId }),
        ],
      });
      await pipeline.ingest([
        {
          id: 'cats.md',
          text: 'The little cat found a red ball in the garden.',
          metadata: { source: 'docs/cats.md' },
        },
        { id: 'dogs.md', text: 'Dogs bury bones in the yard.', metadata: { source: 'docs/dogs.md' } },
      ]);
    });

    test('a model that calls the tool finds the ingested passage; a bad filter is a tool error naming the path', async () => {
      const { ai, test: mocks } = await loadV7();
      const scripted = (input: Record<string, unknown>) =>
        new mocks.MockLanguageModelV4({
          doGenerate: async (options) => {
            const answered = options.prompt.some((m) => m.role === 'tool');
            const usage = {
              inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
              outputTokens: { total: 1, text: 1, reasoning: 0 },
            };
            return answered
              ? {
                  content: [{ type: 'text', text: 'done' }],
                  finishReason: { unified: 'stop', raw: 'stop' },
                  usage,
                  warnings: [],
                }
              : {
                  content: [
                    { type: 'tool-call', toolCallId: 'c1', toolName: 'search', input: JSON.stringify(input) },
                  ],
                  finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
                  usage,
                  warnings: [],
                };
          },
        });
      const search = ragloomSearchTool({ pipeline });
      const found = await ai.generateText({
        model: scripted({ query: 'red ball cat', k: 1 }),
        tools: { search },
        stopWhen: ai.isStepCount(3),
        prompt: 'cat?',
      });
      const output = found.steps[0]!.toolResults[0]!.output as RagloomSearchOutput;
      expect(output.passages.map((p) => [p.documentId, p.source])).toEqual([['cats.md', 'docs/cats.md']]);

      const bad = await ai.generateText({
        model: scripted({ query: 'cat', filter: { source: { $regex: 'x' } } }),
        tools: { search },
        stopWhen: ai.isStepCount(3),
        prompt: 'cat?',
      });
      const errors = bad.steps[0]!.content.filter((p) => p.type === 'tool-error');
      expect(errors).toHaveLength(1);
      expect(String((errors[0] as { error: unknown }).error)).toContain('filter.source');
    });

    test("V4's 'interrupted' finish is an UPSTREAM_ERROR, not a silently short answer", async () => {
      const { ai, test: mocks } = await loadV7();
      const model = new mocks.MockLanguageModelV4({
        doStream: async () => ({
          stream: ai.simulateReadableStream({
            chunks: [
              { type: 'text-delta', id: 't', delta: 'half an ans' },
              {
                type: 'finish',
                finishReason: { unified: 'interrupted', raw: undefined },
                usage: {
                  inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
                  outputTokens: { total: 1, text: 1, reasoning: 0 },
                },
              },
            ],
          }),
        }),
      });
      const request: GenerateRequest = { messages: [{ role: 'user', content: 'x' }] };
      const error = await rejectionOf(
        (async () => {
          for await (const _ of createAiSdkGenerator({ model }).stream(request));
        })(),
      );
      expect(error.code).toBe('UPSTREAM_ERROR');
      expect(error.retryable).toBe(true);
    });
  });
});
