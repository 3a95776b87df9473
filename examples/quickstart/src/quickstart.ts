// ragloom quickstart: build a hybrid (dense + lexical) index over a few documents and ask questions.
// Runs offline with core's reference components; swap in @ragloom/encoder-onnx, @ragloom/retriever-hnsw,
// @ragloom/retriever-bm25 and a generator for real models — the pipeline code stays the same.

import { fileURLToPath } from 'node:url';
import {
  createHashingEncoder,
  createMarkdownChunker,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createPipeline,
  type Document,
} from '@ragloom/core';

export const DOCUMENTS: Document[] = [
  {
    id: 'retrieval.md',
    metadata: { source: 'retrieval.md' },
    text: `# Retrieval\n\nragloom retrieves passages with dense vectors, with BM25, or with both. Hybrid search fuses the ranked lists with reciprocal rank fusion, which ignores raw scores and only uses ranks.\n\n## Filters\n\nEvery retriever accepts the same filter grammar, for example { year: { $gte: 2020 } }.`,
  },
  {
    id: 'answers.md',
    metadata: { source: 'answers.md' },
    text: `# Answers\n\nAn answer cites the passages it used with numbers such as [1]. Each citation points back to the chunk and to its offsets in the source document. Without a language model, ragloom answers extractively: it quotes the sentences that best match the question.`,
  },
  {
    id: 'chinese.md',
    metadata: { source: 'chinese.md' },
    text: `# 中文支持\n\nragloom 可以切分中文句子，也可以检索中文段落。引用会指向原文中的位置。`,
  },
];

export async function runQuickstart(questions: string[], log: (line: string) => void = console.log) {
  const encoder = createHashingEncoder({ dimension: 256 });
  const pipeline = createPipeline({
    encoder,
    retrievers: [
      {
        retriever: createMemoryVectorRetriever({ dimension: 256, encoderModelId: encoder.modelId }),
        name: 'dense',
      },
      { retriever: createMemoryKeywordRetriever(), name: 'keyword' },
    ],
    chunker: createMarkdownChunker({ chunkSize: 300 }),
  });
  const ingested = await pipeline.ingest(DOCUMENTS);
  log(
    `Indexed ${ingested.documents} documents as ${ingested.chunks} chunks (hybrid: hashing encoder + keyword).`,
  );
  const results = [];
  for (const question of questions) {
    const result = await pipeline.ask(question, { k: 3 });
    results.push(result);
    log(`\nQ: ${question}\nA (${result.mode}): ${result.answer}`);
    for (const c of result.citations)
      log(`   [${c.number}] ${c.documentId} @ ${c.start}-${c.end}: "${c.text}"`);
  }
  return results;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(
    'ragloom quickstart — offline mode: reference components, extractive answers (no models needed)\n',
  );
  await runQuickstart([
    'How does hybrid search fuse ranked lists?',
    'Where does a citation point?',
    '引用会指向哪里？',
  ]);
}
