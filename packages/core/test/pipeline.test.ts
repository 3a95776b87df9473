import { describe, expect, it } from 'vitest';
import {
  type AskStreamPart,
  type ChatMessage,
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createOverlapReranker,
  createPipeline,
  createRecursiveChunker,
  createTemplateGenerator,
  type Document,
  type EncoderV1,
  type IngestProgress,
  isRagloomError,
  NO_PASSAGES_ANSWER,
  type RetrieverV1,
} from '../src/index.js';

const DOCS: Document[] = [
  {
    id: 'hnsw.md',
    text: 'HNSW is a graph index for approximate nearest neighbour search. It links each vector to its closest neighbours on several layers. Search walks the graph greedily from the top layer.',
    metadata: { source: 'hnsw.md', lang: 'en' },
  },
  {
    id: 'bm25.md',
    text: 'BM25 ranks documents by term frequency and inverse document frequency. It needs no model at all. Lucene uses k1 = 1.2 and b = 0.75 by default.',
    metadata: { source: 'bm25.md', lang: 'en' },
  },
  {
    id: 'zh.md',
    text: '检索增强生成先检索相关的段落。然后把段落交给语言模型。模型在回答中引用这些段落。',
    metadata: { source: 'zh.md', lang: 'zh' },
  },
];

function setup(extra: Partial<Parameters<typeof createPipeline>[0]> = {}) {
  const encoder = createHashingEncoder({ dimension: 128 });
  const vectors = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
  const pipeline = createPipeline({
    encoder,
    retrievers: [vectors],
    chunker: createRecursiveChunker({ chunkSize: 80 }),
    ...extra,
  });
  return { encoder, vectors, pipeline };
}

/** Counts what reaches the encoder: the batching is observable behaviour, not an implementation detail. */
function countingEncoder(inner: EncoderV1) {
  const batches: number[] = [];
  const encoder: EncoderV1 = {
    ...inner,
    embed: (request) => {
      batches.push(request.texts.length);
      return inner.embed(request);
    },
  };
  return { encoder, batches };
}

describe('pipeline.ingest', () => {
  it('chunks, embeds in batches and upserts with offsets, reporting progress', async () => {
    const { encoder, batches } = countingEncoder(createHashingEncoder({ dimension: 128 }));
    const vectors = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
    const pipeline = createPipeline({
      encoder,
      retrievers: [vectors],
      chunker: createRecursiveChunker({ chunkSize: 80 }),
    });
    const events: IngestProgress[] = [];
    const result = await pipeline.ingest(DOCS, { batchSize: 2, onProgress: (e) => events.push(e) });
    expect(result.documents).toBe(3);
    expect(result.chunks).toBe(await vectors.count());
    expect(result.chunks).toBeGreaterThan(3);
    expect(Math.max(...batches)).toBeLessThanOrEqual(2);
    expect(batches.reduce((a, b) => a + b, 0)).toBe(result.chunks);
    expect(events.at(-1)).toEqual({ phase: 'done', documents: 3, totalDocuments: 3, chunks: result.chunks });
    expect(events.some((e) => e.phase === 'embedding')).toBe(true);
    for await (const page of vectors.scan!()) {
      for (const record of page) {
        const doc = DOCS.find((d) => d.id === record.metadata!.documentId)!;
        const { start, end } = record.metadata as { start: number; end: number };
        expect(doc.text.slice(start, end)).toBe(record.text);
        expect(record.metadata!.source).toBe(doc.metadata!.source);
      }
    }
  });

  it('replaces a re-ingested document, leaving no stale chunks', async () => {
    const { vectors, pipeline } = setup();
    await pipeline.ingest(DOCS);
    const before = await vectors.count({ documentId: 'hnsw.md' });
    expect(before).toBeGreaterThan(1);
    await pipeline.ingest([{ id: 'hnsw.md', text: 'HNSW, shortened.' }]);
    expect(await vectors.count({ documentId: 'hnsw.md' })).toBe(1);
    await pipeline.ingest([{ id: 'bm25.md', text: '   ' }]);
    expect(await vectors.count({ documentId: 'bm25.md' })).toBe(0);
    expect((await pipeline.deleteDocuments(['zh.md'])).deleted).toBeGreaterThan(0);
    expect(await vectors.count({ documentId: 'zh.md' })).toBe(0);
  });

  it('stops with ABORTED between batches, keeping what was stored consistent', async () => {
    const { vectors, pipeline } = setup();
    const controller = new AbortController();
    let error: unknown;
    try {
      await pipeline.ingest(DOCS, {
        batchSize: 1,
        signal: controller.signal,
        onProgress: (e) => e.chunks >= 2 && controller.abort(),
      });
    } catch (e) {
      error = e;
    }
    expect(isRagloomError(error, 'ABORTED')).toBe(true);
    const stored = await vectors.count();
    expect(stored).toBeGreaterThanOrEqual(2);
    expect(stored).toBeLessThan(6);
  });

  it('saves the retrievers that are persistent, and only those', async () => {
    const encoder = createHashingEncoder({ dimension: 128 });
    const saved: string[] = [];
    const memory = () => createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
    const persistent: RetrieverV1 = {
      ...memory(),
      capabilities: { query: 'vector', scan: true, persistent: true },
      save: async () => {
        saved.push('persistent');
      },
    };
    // A save() on a retriever that says it is not persistent is not the pipeline's to call.
    const inMemory: RetrieverV1 = {
      ...memory(),
      save: async () => {
        throw new Error('this index has no path');
      },
    };
    const pipeline = createPipeline({ encoder, retrievers: [persistent, inMemory] });
    expect(await pipeline.ingest(DOCS)).toMatchObject({ documents: 3 });
    expect(saved).toEqual(['persistent']);
    expect(await inMemory.count()).toBeGreaterThan(0);
  });

  it('accepts an async iterable of documents', async () => {
    const { vectors, pipeline } = setup();
    async function* docs() {
      for (const d of DOCS) yield d;
    }
    const result = await pipeline.ingest(docs());
    expect(result.documents).toBe(3);
    expect(await vectors.count()).toBe(result.chunks);
  });
});

describe('pipeline.ask', () => {
  it('answers with citations mapped back to chunk ids and source offsets', async () => {
    const seen: ChatMessage[][] = [];
    const generator = createTemplateGenerator({
      render: (messages) => {
        seen.push([...messages]);
        return 'HNSW links each vector to its neighbours [1]. BM25 needs no model [9].';
      },
    });
    const { pipeline } = setup({ generator });
    await pipeline.ingest(DOCS);
    const result = await pipeline.ask('How does HNSW link vectors to neighbours?', { k: 3 });
    expect(result.mode).toBe('generated');
    expect(result.passages).toHaveLength(3);
    expect(result.passages[0]!.documentId).toBe('hnsw.md');
    // [9] does not exist among 3 passages: it is not a citation.
    expect(result.citations.map((c) => c.number)).toEqual([1]);
    const cited = result.citations[0]!;
    expect(cited.chunkId).toBe(result.passages[0]!.id);
    const doc = DOCS.find((d) => d.id === cited.documentId)!;
    expect(doc.text.slice(cited.start, cited.end)).toBe(cited.text);
    const prompt = seen[0]!;
    expect(prompt[0]!.role).toBe('system');
    expect(prompt.at(-1)!.content).toContain('[1] (source: hnsw.md)');
    expect(prompt.at(-1)!.content).toContain('Question: How does HNSW link vectors to neighbours?');
  });

  it('streams passages, then deltas, then a finish whose answer is the deltas joined', async () => {
    const generator = createTemplateGenerator({ render: () => 'BM25 needs no model at all [1].' });
    const { pipeline } = setup({ generator });
    await pipeline.ingest(DOCS);
    const parts: AskStreamPart[] = [];
    for await (const part of pipeline.askStream('Why does BM25 need no model at all?')) parts.push(part);
    expect(parts[0]!.type).toBe('passages');
    const finish = parts.at(-1)!;
    if (finish.type !== 'finish') throw new Error('no finish part');
    const text = parts.map((p) => (p.type === 'text-delta' ? p.delta : '')).join('');
    expect(text).toBe(finish.answer);
    expect(finish.citations[0]!.documentId).toBe('bm25.md');
    expect(finish.usage!.completionTokens).toBeGreaterThan(0);
  });

  it('answers extractively without a generator, quoting sentences with exact offsets', async () => {
    const { pipeline } = setup();
    await pipeline.ingest(DOCS);
    const result = await pipeline.ask('What does Lucene use for k1 and b?');
    expect(result.mode).toBe('extractive');
    expect(result.answer).toContain('Lucene uses k1 = 1.2 and b = 0.75 by default.');
    expect(result.answer).toMatch(/\[\d\]/);
    for (const c of result.citations) {
      const doc = DOCS.find((d) => d.id === c.documentId)!;
      expect(doc.text.slice(c.start, c.end)).toBe(c.text);
      expect(result.answer).toContain(`${c.text} [${c.number}]`);
    }
  });

  it('never quotes a markdown heading as an answer sentence', async () => {
    const { pipeline } = setup();
    await pipeline.ingest([
      {
        id: 'server.md',
        text: '## Server API keys\n\nTo require an API key, set RAGLOOM_API_KEY before starting the server.',
      },
    ]);
    const result = await pipeline.ask('How do I require an API key for the server?');
    expect(result.answer).toBe('To require an API key, set RAGLOOM_API_KEY before starting the server. [1]');
  });

  it('answers a Chinese question extractively from the Chinese document', async () => {
    const { pipeline } = setup();
    await pipeline.ingest(DOCS);
    const result = await pipeline.ask('模型如何引用段落？', { filter: { lang: 'zh' } });
    expect(result.passages.every((p) => p.metadata.lang === 'zh')).toBe(true);
    expect(result.answer).toContain('模型在回答中引用这些段落。');
  });

  it('says so when nothing is retrieved: a typed decline in both modes', async () => {
    const { pipeline } = setup({ generator: createTemplateGenerator() });
    const result = await pipeline.ask('anything?');
    expect(result.answer).toBe(NO_PASSAGES_ANSWER);
    expect(result).toMatchObject({ outcome: 'declined', declineReason: 'no-passages', mode: 'generated' });
    expect(result.citations).toEqual([]);
  });

  it('gives the same result from ask and askStream with a generator, and counts embedded tokens', async () => {
    const generator = createTemplateGenerator({ render: () => 'HNSW links vectors to neighbours [1].' });
    const { pipeline, encoder } = setup({ generator });
    await pipeline.ingest(DOCS);
    const question = 'How does HNSW link vectors?';
    const whole = await pipeline.ask(question, { k: 2, generation: { maxTokens: 3 } });
    let streamed: unknown;
    for await (const part of pipeline.askStream(question, { k: 2, generation: { maxTokens: 3 } })) {
      if (part.type === 'finish') {
        const { type: _type, ...rest } = part;
        streamed = rest;
      }
    }
    expect(streamed).toEqual(whole);
    expect(whole).toMatchObject({
      outcome: 'answered',
      finishReason: 'length',
      answer: 'HNSW links vectors',
    });
    const { usage } = await encoder.embed({ texts: [question], inputType: 'query' });
    expect(whole.embeddingTokens).toBe(usage!.tokens);
    const retrieved = await pipeline.retrieveWithUsage(question, { k: 2 });
    expect(retrieved.embeddingTokens).toBe(usage!.tokens);
    expect(retrieved.passages).toEqual(await pipeline.retrieve(question, { k: 2 }));
  });

  it('fuses several retrievers (hybrid) and records where each passage came from', async () => {
    const encoder = createHashingEncoder({ dimension: 128 });
    const dense = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
    const lexical = createMemoryKeywordRetriever();
    const pipeline = createPipeline({
      encoder,
      retrievers: [
        { retriever: dense, name: 'dense' },
        { retriever: lexical, name: 'bm25', weight: 2 },
      ],
      chunker: createRecursiveChunker({ chunkSize: 80 }),
    });
    await pipeline.ingest(DOCS);
    expect(await lexical.count()).toBe(await dense.count());
    const passages = await pipeline.retrieve('inverse document frequency', { k: 4 });
    expect(passages[0]!.documentId).toBe('bm25.md');
    const names = new Set(passages.flatMap((p) => p.sources!.map((s) => s.retriever)));
    expect(names).toEqual(new Set(['dense', 'bm25']));
    for (let i = 1; i < passages.length; i++)
      expect(passages[i - 1]!.score).toBeGreaterThanOrEqual(passages[i]!.score);
  });

  it('reranks candidates when a reranker is given', async () => {
    const { pipeline } = setup({ reranker: createOverlapReranker() });
    await pipeline.ingest(DOCS);
    const passages = await pipeline.retrieve('greedily top layer graph', { k: 2 });
    expect(passages).toHaveLength(2);
    expect(passages[0]!.rerankScore).toBe(passages[0]!.score);
    expect(passages[0]!.text).toContain('greedily');
  });

  it('rejects an encoder that does not match the index manifest', () => {
    const vectors = createMemoryVectorRetriever({ dimension: 128, encoderModelId: 'some/other-model' });
    try {
      createPipeline({ encoder: createHashingEncoder({ dimension: 128 }), retrievers: [vectors] });
      expect.unreachable();
    } catch (error) {
      expect(isRagloomError(error, 'MANIFEST_MISMATCH')).toBe(true);
      expect((error as Error).message).toContain('some/other-model');
    }
  });

  it('rejects an invalid filter before doing any work', async () => {
    const { encoder, batches } = countingEncoder(createHashingEncoder({ dimension: 128 }));
    const vectors = createMemoryVectorRetriever({ dimension: 128, encoderModelId: encoder.modelId });
    const pipeline = createPipeline({ encoder, retrievers: [vectors] });
    await expect(
      pipeline.retrieve('x', { filter: { lang: { $like: 'e%' } } as never }),
    ).rejects.toMatchObject({
      code: 'INVALID_FILTER',
    });
    expect(batches).toEqual([]);
  });
});

describe('memory vector retriever scores', () => {
  it('are bit-identical to similarity() for every metric', async () => {
    const { similarity, seededRandom } = await import('../src/index.js');
    const random = seededRandom(3);
    const vectors = Array.from({ length: 50 }, () => Array.from({ length: 16 }, () => random() * 2 - 1));
    for (const metric of ['cosine', 'dot', 'l2'] as const) {
      const r = createMemoryVectorRetriever({ dimension: 16, encoderModelId: 'm', metric });
      await r.upsert(vectors.map((vector, i) => ({ id: `v${i}`, text: '', vector })));
      const query = Float32Array.from(vectors[7]!.map((x) => x * 0.5 + 0.1));
      const stored = vectors.map((v) => Float32Array.from(v));
      for (const hit of await r.search({ vector: query, k: 50 })) {
        expect(hit.score).toBe(similarity(metric, query, stored[Number(hit.id.slice(1))]!));
      }
    }
  });
});
