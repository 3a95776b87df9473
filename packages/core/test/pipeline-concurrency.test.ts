// A service answers many questions with one pipeline at once: each must get exactly what it gets alone.
import { describe, expect, it } from 'vitest';
import {
  type AskResult,
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createOverlapReranker,
  createPipeline,
  createRecursiveChunker,
  createTemplateGenerator,
  type Document,
} from '../src/index.js';

const TOPICS = ['graph', 'ranking', 'tokens', 'storage', 'vectors', 'caching', 'parsing', 'shards'];

const DOCUMENTS: Document[] = TOPICS.map((topic, i) => ({
  id: `${topic}.md`,
  text: Array.from(
    { length: 6 },
    (_, s) =>
      `The ${topic} layer handles step ${s} of request ${i}. It keeps ${topic} data for ${TOPICS[(i + s) % 8]}.`,
  ).join(' '),
  metadata: { source: `${topic}.md`, part: i % 3 },
}));

const QUESTIONS = TOPICS.map((topic, i) => `How does the ${topic} layer handle step ${i % 6}?`);

function hybridPipeline() {
  const encoder = createHashingEncoder({ dimension: 96 });
  return createPipeline({
    encoder,
    retrievers: [
      {
        retriever: createMemoryVectorRetriever({ dimension: 96, encoderModelId: encoder.modelId }),
        name: 'dense',
      },
      { retriever: createMemoryKeywordRetriever(), name: 'lexical' },
    ],
    chunker: createRecursiveChunker({ chunkSize: 120, chunkOverlap: 20 }),
    reranker: createOverlapReranker(),
    // Each token waits a moment, so concurrent answers interleave.
    generator: createTemplateGenerator({
      tokenDelayMs: 1,
      render: (messages) => `From the passages [1]: ${messages.at(-1)?.content.slice(-60) ?? ''} [2]`,
    }),
    candidateK: 6,
    topK: 3,
  });
}

/** An ask result without what legitimately differs between two identical runs (nothing, here). */
const answerOf = (r: AskResult) => ({
  answer: r.answer,
  citations: r.citations,
  passages: r.passages,
  finishReason: r.finishReason,
  usage: r.usage,
});

describe('createPipeline under concurrent calls', () => {
  it('concurrent ask, askStream and retrieve equal the same calls one at a time', async () => {
    const pipeline = hybridPipeline();
    await pipeline.ingest(DOCUMENTS);
    const calls = QUESTIONS.flatMap((question, i) => [
      () => pipeline.ask(question, { k: 1 + (i % 3) }).then(answerOf),
      () => pipeline.retrieve(question, { k: 2, filter: { part: i % 3 } }),
      async () => {
        let text = '';
        let finish: AskResult | undefined;
        for await (const part of pipeline.askStream(question, { k: 1 + (i % 3) })) {
          if (part.type === 'text-delta') text += part.delta;
          if (part.type === 'finish') finish = part;
        }
        return { text, finish: finish && answerOf(finish) };
      },
    ]);
    const sequential: unknown[] = [];
    for (const call of calls) sequential.push(await call());
    const concurrent = await Promise.all(calls.map((call) => call()));
    concurrent.forEach((result, i) => {
      expect(result, `call ${i} (${QUESTIONS[Math.floor(i / 3)]})`).toEqual(sequential[i]);
    });
    // The calls differ from each other: the comparison is not between identical answers.
    expect(new Set(sequential.map((r) => JSON.stringify(r))).size).toBe(calls.length);
  });

  it('concurrent ingests of different documents build what sequential ingests build', async () => {
    const concurrent = hybridPipeline();
    const sequential = hybridPipeline();
    const halves = [DOCUMENTS.slice(0, 4), DOCUMENTS.slice(4)];
    await Promise.all(halves.map((docs) => concurrent.ingest(docs, { batchSize: 3 })));
    for (const docs of halves) await sequential.ingest(docs, { batchSize: 3 });
    for (const question of QUESTIONS) {
      expect(await concurrent.retrieve(question, { k: 5 }), question).toEqual(
        await sequential.retrieve(question, { k: 5 }),
      );
    }
  });
});
