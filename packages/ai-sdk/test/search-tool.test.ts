import type { LanguageModelV3CallOptions, LanguageModelV3Content } from '@ai-sdk/provider';
import {
  createHashingEncoder,
  createMarkdownChunker,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createPipeline,
  type Document,
  FILTER_GRAMMAR_DESCRIPTION,
  isRagloomError,
  type Pipeline,
} from '@ragloom/core';
import { generateText, stepCountIs, type Tool } from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import { beforeAll, describe, expect, test } from 'vitest';
import {
  citationSources,
  passageSources,
  type RagloomSearchOutput,
  ragloomSearchTool,
} from '../src/index.js';

const DOCUMENTS: Document[] = [
  {
    id: 'cats.md',
    text: '# Cats\n\nThe little cat found a red ball in the garden. It played with the ball until dusk.',
    metadata: { source: 'docs/cats.md', type: 'markdown', year: 2024, line: 1 },
  },
  {
    id: 'dogs.md',
    text: '# Dogs\n\nDogs bury bones in the yard and bark at the mail carrier every morning.',
    metadata: { source: 'docs/dogs.md', type: 'markdown', year: 2019 },
  },
  {
    id: 'fish.md',
    text: '# Fish\n\nGoldfish swim in circles in a glass bowl and eat flakes twice a day.',
    metadata: { source: 'docs/fish.md', type: 'markdown', year: 2022 },
  },
];

let pipeline: Pipeline;
beforeAll(async () => {
  const encoder = createHashingEncoder({ dimension: 128 });
  pipeline = createPipeline({
    encoder,
    retrievers: [
      createMemoryVectorRetriever({ dimension: encoder.dimension, encoderModelId: encoder.modelId }),
      createMemoryKeywordRetriever(),
    ],
    chunker: createMarkdownChunker({ chunkSize: 400 }),
  });
  await pipeline.ingest(DOCUMENTS);
});

const toolMessages = (options: LanguageModelV3CallOptions) => options.prompt.filter((m) => m.role === 'tool');

/**
 * The AI SDK's mock model, scripted as a model that uses tools: it calls `search` with `input` first, then
 * answers with what the tool returned (or with the tool error).
 */
function toolUsingModel(input: Record<string, unknown>) {
  return new MockLanguageModelV3({
    doGenerate: async (options) => {
      const results = toolMessages(options);
      if (results.length === 0) {
        const call: LanguageModelV3Content = {
          type: 'tool-call',
          toolCallId: 'call-1',
          toolName: 'search',
          input: JSON.stringify(input),
        };
        return {
          content: [call],
          finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
          usage: {
            inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
            outputTokens: { total: 5, text: 5, reasoning: 0 },
          },
          warnings: [],
        };
      }
      const text = `Tool said: ${JSON.stringify(results[0]!.content)}`;
      return {
        content: [{ type: 'text', text }],
        finishReason: { unified: 'stop', raw: 'stop' },
        usage: {
          inputTokens: { total: 20, noCache: 20, cacheRead: 0, cacheWrite: 0 },
          outputTokens: { total: 8, text: 8, reasoning: 0 },
        },
        warnings: [],
      };
    },
  });
}

describe('ragloomSearchTool with generateText (AI SDK 6)', () => {
  test('a model that calls the tool finds the ingested passage, with source and score, and answers from it', async () => {
    const model = toolUsingModel({ query: 'where did the cat find the red ball?', k: 2 });
    const search: Tool = ragloomSearchTool({ pipeline });
    const result = await generateText({
      model,
      tools: { search },
      stopWhen: stepCountIs(3),
      prompt: 'Where did the cat find the ball?',
    });
    expect(result.steps).toHaveLength(2);
    const [toolResult] = result.steps[0]!.toolResults;
    const output = toolResult!.output as RagloomSearchOutput;
    expect(output.query).toBe('where did the cat find the red ball?');
    expect(output.passages).toHaveLength(2);
    const [best] = output.passages;
    expect(best).toMatchObject({ number: 1, documentId: 'cats.md', source: 'docs/cats.md', line: 1 });
    expect(best!.text).toContain('red ball in the garden');
    expect(best!.score).toBeGreaterThan(output.passages[1]!.score);
    // What the model was given back is exactly the tool's output, and the answer is built from it.
    const second = model.doGenerateCalls[1]!;
    expect(JSON.stringify(toolMessages(second))).toContain('red ball in the garden');
    expect(result.text).toContain('docs/cats.md');
  });

  test('concurrent tool calls get what each gets alone', async () => {
    const search = ragloomSearchTool({ pipeline });
    const inputs = [
      { query: 'red ball in the garden', k: 2 },
      { query: 'bones in the yard', k: 2 },
      { query: 'goldfish bowl', k: 3, filter: { year: { $gte: 2020 } } },
      { query: 'mail carrier', k: 1 },
    ];
    const run = (input: (typeof inputs)[number]) => search.execute(input, {});
    const sequential: RagloomSearchOutput[] = [];
    for (const input of inputs) sequential.push(await run(input));
    expect(new Set(sequential.map((o) => o.passages[0]!.documentId)).size).toBe(3); // the queries differ
    expect(await Promise.all(inputs.map(run))).toEqual(sequential);
  });

  test('the model may filter; the filter is core grammar, ANDed with a fixed filter', async () => {
    const model = toolUsingModel({ query: 'animals', k: 5, filter: { year: { $gte: 2020 } } });
    const result = await generateText({
      model,
      tools: { search: ragloomSearchTool({ pipeline, filter: { documentId: { $ne: 'fish.md' } } }) },
      stopWhen: stepCountIs(3),
      prompt: 'animals',
    });
    const output = result.steps[0]!.toolResults[0]!.output as RagloomSearchOutput;
    expect(output.passages.map((p) => p.documentId)).toEqual(['cats.md']);
  });

  test('a bad filter is a tool error naming the path, which the model gets to read', async () => {
    const model = toolUsingModel({ query: 'cats', filter: { year: { $gtx: 2020 } } });
    const result = await generateText({
      model,
      tools: { search: ragloomSearchTool({ pipeline }) },
      stopWhen: stepCountIs(3),
      prompt: 'cats',
    });
    const errors = result.steps[0]!.content.filter((p) => p.type === 'tool-error');
    expect(errors).toHaveLength(1);
    const error = (errors[0] as { error: unknown }).error;
    expect(isRagloomError(error, 'INVALID_FILTER')).toBe(true);
    expect((error as Error).message).toContain('filter.year');
    expect(JSON.stringify(toolMessages(model.doGenerateCalls[1]!))).toContain('filter.year');
  });

  test('input outside the schema (k above maxK) is refused before the search runs', async () => {
    const model = toolUsingModel({ query: 'cats', k: 500 });
    const result = await generateText({
      model,
      tools: { search: ragloomSearchTool({ pipeline, maxK: 10 }) },
      stopWhen: stepCountIs(3),
      prompt: 'cats',
    });
    const errors = result.steps[0]!.content.filter((p) => p.type === 'tool-error');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(toolMessages(model.doGenerateCalls[1]!))).toMatch(/from 1 to 10/);
  });

  test('the JSON Schema the model sees: query required, k bounded, filter described by the grammar', async () => {
    const model = toolUsingModel({ query: 'cats' });
    await generateText({
      model,
      tools: { search: ragloomSearchTool({ pipeline, maxK: 8 }) },
      prompt: 'cats',
    });
    const [sent] = model.doGenerateCalls[0]!.tools!;
    expect(sent).toMatchObject({ type: 'function', name: 'search' });
    const schema = (sent as { inputSchema: Record<string, unknown> }).inputSchema;
    expect(schema).toMatchObject({
      type: 'object',
      required: ['query'],
      additionalProperties: false,
      properties: {
        query: { type: 'string', minLength: 1 },
        k: { type: 'integer', minimum: 1, maximum: 8 },
        filter: { type: 'object', description: FILTER_GRAMMAR_DESCRIPTION },
      },
    });
    const noFilter = ragloomSearchTool({ pipeline, allowFilter: false }).inputSchema[
      '~standard'
    ].jsonSchema.input({
      target: 'draft-07',
    });
    expect(Object.keys(noFilter.properties as object)).toEqual(['query', 'k']);
  });

  test('a bad fixed filter or bad options fail when the tool is made', () => {
    expect(() => ragloomSearchTool({ pipeline, filter: { $or: 'x' } })).toThrow(
      /INVALID_FILTER|filter\.\$or/,
    );
    expect(() => ragloomSearchTool({ pipeline, maxK: 0 })).toThrow(/maxK/);
  });
});

describe('citations and passages as AI SDK sources', () => {
  test("an answer's citations become document sources numbered as its [n]", async () => {
    const { citations, passages } = await pipeline.ask('Where did the little cat find a red ball?');
    expect(citations.length).toBeGreaterThan(0);
    const sources = citationSources(citations);
    expect(sources[0]).toMatchObject({
      type: 'source',
      sourceType: 'document',
      mediaType: 'text/markdown',
      title: 'docs/cats.md:1',
      filename: 'docs/cats.md',
      providerMetadata: { ragloom: { number: citations[0]!.number, documentId: 'cats.md', line: 1 } },
    });
    expect(sources[0]!.providerMetadata.ragloom.text).toBe(citations[0]!.text);
    expect(new Set(passageSources(passages).map((s) => s.id)).size).toBe(passages.length);
  });
});
