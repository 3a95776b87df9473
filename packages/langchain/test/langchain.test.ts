import { StringOutputParser } from '@langchain/core/output_parsers';
import { ChatPromptTemplate } from '@langchain/core/prompts';
import { RunnablePassthrough, RunnableSequence } from '@langchain/core/runnables';
import { FakeEmbeddings, FakeListChatModel, SyntheticEmbeddings } from '@langchain/core/utils/testing';
import {
  createHashingEncoder,
  createMarkdownChunker,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createPipeline,
  type Document,
  type GenerateRequest,
  isRagloomError,
  type Pipeline,
} from '@ragloom/core';
import { rejectionOf } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { finishReasonOf } from '../src/finish-reason.js';
import {
  citationsFromAnswer,
  createLangChainEncoder,
  createLangChainGenerator,
  formatDocumentsAsContext,
  type RagloomDocument,
  RagloomRetriever,
} from '../src/index.js';
import { DIMENSION, type LocalOpenAI, startLocalOpenAI } from './support/local-openai.js';

const DOCUMENTS: Document[] = [
  {
    id: 'cats.md',
    text: '# Cats\n\nThe little cat found a red ball in the garden. It played with the ball until dusk.',
    metadata: { source: 'docs/cats.md', type: 'markdown', year: 2024 },
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

const encoder = createHashingEncoder({ dimension: 128 });
const dense = createMemoryVectorRetriever({ dimension: encoder.dimension, encoderModelId: encoder.modelId });
const sparse = createMemoryKeywordRetriever();
let pipeline: Pipeline;
let local: LocalOpenAI;

beforeAll(async () => {
  pipeline = createPipeline({
    encoder,
    retrievers: [dense, sparse],
    chunker: createMarkdownChunker({ chunkSize: 400 }),
  });
  await pipeline.ingest(DOCUMENTS);
  local = await startLocalOpenAI({ maxEmbeddingInputs: 4 });
});
afterAll(() => local.close());

const ask = (content: string, extra: Partial<GenerateRequest> = {}): GenerateRequest => ({
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('RagloomRetriever', () => {
  test("returns what the pipeline retrieves, as Documents with the chunk's metadata and ragloom's", async () => {
    const retriever = new RagloomRetriever({ pipeline, k: 2 });
    const question = 'Where did the little cat find a red ball?';
    const documents = await retriever.invoke(question);
    const passages = await pipeline.retrieve(question, { k: 2 });
    expect(documents.map((d) => d.id)).toEqual(passages.map((p) => p.id));
    expect(documents.map((d) => d.pageContent)).toEqual(passages.map((p) => p.text));
    const [best] = documents;
    expect(best!.metadata).toMatchObject({
      source: 'docs/cats.md',
      year: 2024,
      documentId: 'cats.md',
      ragloom: {
        number: 1,
        documentId: 'cats.md',
        source: 'docs/cats.md',
        chunkId: passages[0]!.id,
        score: passages[0]!.score,
      },
    });
    expect(best!.metadata.ragloom.retrievers?.length).toBe(2); // hybrid: both retrievers' ranks
  });

  test('from retrievers directly (hybrid fused), with a filter on every query', async () => {
    const retriever = new RagloomRetriever({
      retrievers: [dense, sparse],
      encoder,
      k: 5,
      filter: { year: { $gte: 2020 } },
    });
    const documents = await retriever.invoke('animals in the garden or a bowl');
    expect(documents.map((d) => d.metadata.ragloom.documentId).sort()).toEqual(['cats.md', 'fish.md']);
  });

  test('concurrent queries (invoke in parallel and batch) get what each gets alone', async () => {
    const retriever = new RagloomRetriever({ pipeline, k: 3 });
    const questions = [
      'red ball in the garden',
      'bones in the yard',
      'goldfish bowl',
      'mail carrier',
      'dusk',
    ];
    const view = (documents: RagloomDocument[]) =>
      documents.map((d) => [d.id, d.pageContent, d.metadata.ragloom.score, d.metadata.ragloom.number]);
    const sequential = [];
    for (const q of questions) sequential.push(view(await retriever.invoke(q)));
    expect(new Set(sequential.map((r) => r[0]![0])).size).toBeGreaterThan(1); // the queries differ
    expect((await Promise.all(questions.map((q) => retriever.invoke(q)))).map(view)).toEqual(sequential);
    expect((await retriever.batch(questions, { maxConcurrency: 5 })).map(view)).toEqual(sequential);
  });

  test('bad configuration fails at construction: a bad filter names its path, no source is INVALID_CONFIG', () => {
    let error: unknown;
    try {
      new RagloomRetriever({ pipeline, filter: { year: { $gtx: 1 } } });
    } catch (caught) {
      error = caught;
    }
    expect(isRagloomError(error, 'INVALID_FILTER')).toBe(true);
    expect((error as Error).message).toContain('filter.year');
    expect(() => new RagloomRetriever({})).toThrow(/pipeline/);
    expect(() => new RagloomRetriever({ pipeline, k: 0 })).toThrow(/k: expected an integer/);
  });

  test('an LCEL chain (retriever → prompt → chat model → parser) answers over a ragloom index, with citations', async () => {
    const retriever = new RagloomRetriever({ pipeline, k: 2 });
    const prompt = ChatPromptTemplate.fromMessages([
      ['system', 'Answer from the numbered context and cite it as [n].'],
      ['user', 'Context:\n{context}\n\nQuestion: {question}'],
    ]);
    const answerChain = RunnableSequence.from([
      (input: { documents: RagloomDocument[]; question: string }) => ({
        context: formatDocumentsAsContext(input.documents),
        question: input.question,
      }),
      prompt,
      local.chatModel(),
      new StringOutputParser(),
    ]);
    const chain = RunnableSequence.from([
      { documents: retriever, question: new RunnablePassthrough<string>() },
      RunnablePassthrough.assign({ answer: answerChain }),
    ]);
    const { documents, answer } = await chain.invoke('Where did the little cat find a red ball?');
    // The local model repeats its prompt, so the answer holds the numbered context the chain built.
    expect(answer).toContain('[1] (source: docs/cats.md)');
    expect(answer).toContain('red ball in the garden');
    const citations = citationsFromAnswer(answer, documents);
    expect(citations[0]).toMatchObject({ number: 1, documentId: 'cats.md', chunkId: documents[0]!.id });
    expect(citations[0]!.metadata).toMatchObject({ source: 'docs/cats.md' });
    expect(citations[0]!.metadata).not.toHaveProperty('ragloom');
  });
});

describe('createLangChainGenerator', () => {
  test('answers exactly what the model behind ChatOpenAI answers, generated and streamed', async () => {
    const generator = createLangChainGenerator({
      model: local.chatModel(),
      withSettings: (s) => local.chatModel(s),
      modelId: 'openai:ragloom-template',
    });
    const request = ask('Where did the little cat find the red ball today?', { maxTokens: 6 });
    const peer = await local.generator.generate(request);
    expect(peer.finishReason).toBe('length');
    expect(await generator.generate(request)).toEqual(peer);
    let text = '';
    let finish: unknown;
    for await (const part of generator.stream(request)) {
      if (part.type === 'text-delta') text += part.delta;
      else finish = part;
    }
    expect(text).toBe(peer.text);
    expect(finish).toEqual({ type: 'finish', finishReason: 'length', usage: peer.usage });
    expect(local.server.requests.at(-1)!.body).toMatchObject({ max_tokens: 6, stream: true });
  });

  test('the whole ragloom pipeline can answer with a LangChain model', async () => {
    const answering = createPipeline({
      encoder,
      retrievers: [dense, sparse],
      generator: createLangChainGenerator({ model: local.chatModel(), modelId: 'openai:ragloom-template' }),
    });
    const result = await answering.ask('Where did the little cat find a red ball?');
    expect(result.mode).toBe('generated');
    expect(result.answer).toContain('red ball in the garden'); // the echo of the prompt with the passages
  });

  test('HTTP failures map through the one status map', async () => {
    const generator = createLangChainGenerator({ model: local.chatModel(), modelId: 'm', maxRetries: 0 });
    for (const [fault, code] of [
      [{ status: 401, message: 'bad key' }, 'AUTH_ERROR'],
      [{ status: 404, message: 'The model does not exist' }, 'MODEL_NOT_FOUND'],
      [{ status: 429, message: 'slow down' }, 'RATE_LIMITED'],
      [
        { status: 400, message: "This model's maximum context length is 8192 tokens" },
        'CONTEXT_LENGTH_EXCEEDED',
      ],
      [{ status: 500, message: 'boom' }, 'UPSTREAM_ERROR'],
    ] as const) {
      local.server.faults.push(fault);
      const error = await rejectionOf(generator.generate(ask('hello')));
      local.server.faults.length = 0;
      expect(error.code, `HTTP ${fault.status}`).toBe(code);
    }
  });

  test('settings a plain model cannot take are reported once each, not silently dropped', async () => {
    const warnings: string[] = [];
    const generator = createLangChainGenerator({
      model: new FakeListChatModel({ responses: ['fine'] }),
      modelId: 'fake',
      onWarning: (m) => warnings.push(m),
    });
    await generator.generate(ask('x', { maxTokens: 5, temperature: 0 }));
    await generator.generate(ask('x', { maxTokens: 5 }));
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^maxTokens was not applied/);
    expect(warnings[1]).toMatch(/^temperature was not applied/);
  });

  test('stop sequences are cut on the client when the model streams past them', async () => {
    const model = new FakeListChatModel({ responses: ['The cat sat on the mat and slept'] });
    const generator = createLangChainGenerator({ model, modelId: 'fake' });
    let text = '';
    let finish: unknown;
    for await (const part of generator.stream(ask('x', { stop: ['mat'] }))) {
      if (part.type === 'text-delta') text += part.delta;
      else finish = part;
    }
    expect(text).toBe('The cat sat on the ');
    expect(finish).toMatchObject({ finishReason: 'stop' });
  });

  test('an abort mid-stream rejects with ABORTED promptly', async () => {
    const model = new FakeListChatModel({ responses: ['x'.repeat(500)], sleep: 5 });
    const generator = createLangChainGenerator({ model, modelId: 'fake' });
    const controller = new AbortController();
    let deltas = 0;
    const started = Date.now();
    const error = await rejectionOf(
      (async () => {
        for await (const part of generator.stream(ask('x', { signal: controller.signal }))) {
          if (part.type === 'text-delta' && ++deltas === 3) controller.abort();
        }
      })(),
    );
    expect(error.code).toBe('ABORTED');
    expect(deltas).toBe(3);
    expect(Date.now() - started).toBeLessThan(1500);
  });

  test("finish reasons under each provider's name for them", () => {
    expect(finishReasonOf({ finish_reason: 'length' })).toBe('length');
    expect(finishReasonOf({ stop_reason: 'max_tokens' })).toBe('length');
    expect(finishReasonOf({ stop_reason: 'end_turn' })).toBe('stop');
    expect(finishReasonOf({ finishReason: 'MAX_TOKENS' })).toBe('length');
    expect(finishReasonOf({ finishReason: 'SAFETY' })).toBe('content-filter');
    expect(finishReasonOf({ done_reason: 'stop' })).toBe('stop');
    expect(finishReasonOf({ finish_reason: 'tool_calls' })).toBe('other');
    expect(finishReasonOf({})).toBe('other');
  });
});

describe('createLangChainEncoder', () => {
  test('returns the vectors of the model behind OpenAIEmbeddings, in batches the server accepts', async () => {
    const embedder = createLangChainEncoder({ embeddings: local.embeddings(4), dimension: DIMENSION });
    expect(embedder.modelId).toBe('langchain:ragloom-hashing-64');
    const texts = Array.from({ length: 10 }, (_, i) => `text number ${i} about cats`);
    const before = local.server.requests.length;
    const { embeddings } = await embedder.embed({ texts, inputType: 'document' });
    expect(embeddings).toEqual((await local.encoder.embed({ texts, inputType: 'document' })).embeddings);
    const sizes = local.server.requests.slice(before).map((r) => (r.body.input as string[]).length);
    expect(sizes).toEqual([4, 4, 2]);
    const [query] = (await embedder.embed({ texts: ['cats'], inputType: 'query' })).embeddings;
    expect(query).toEqual((await local.encoder.embed({ texts: ['cats'], inputType: 'query' })).embeddings[0]);
  });

  test('embeddings that do not name their model need a modelId', () => {
    expect(() =>
      createLangChainEncoder({ embeddings: new SyntheticEmbeddings({ vectorSize: 4 }), dimension: 4 }),
    ).toThrow(/modelId: required/);
    expect(
      createLangChainEncoder({
        embeddings: new SyntheticEmbeddings({ vectorSize: 4 }),
        dimension: 4,
        modelId: 'synthetic-4',
      }).modelId,
    ).toBe('synthetic-4');
  });

  test('a vector of the wrong length is DIMENSION_MISMATCH naming both lengths', async () => {
    const embedder = createLangChainEncoder({
      embeddings: new FakeEmbeddings(),
      dimension: 8,
      modelId: 'fake',
    });
    const error = await rejectionOf(embedder.embed({ texts: ['a'], inputType: 'document' }));
    expect(error.code).toBe('DIMENSION_MISMATCH');
    expect(error.details).toMatchObject({ expected: 8, actual: 4 });
  });

  test('an abort rejects promptly even though LangChain embeddings take no signal', async () => {
    const slow = {
      model: 'slow',
      embedDocuments: (texts: string[]) =>
        new Promise<number[][]>((r) => setTimeout(() => r(texts.map(() => [1, 0])), 2000)),
      embedQuery: async () => [1, 0],
    };
    const embedder = createLangChainEncoder({ embeddings: slow, dimension: 2 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    const started = Date.now();
    const error = await rejectionOf(
      embedder.embed({ texts: ['a'], inputType: 'document', signal: controller.signal }),
    );
    expect(error.code).toBe('ABORTED');
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
