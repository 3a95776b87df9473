import { createRecursiveChunker } from '../chunking/recursive-chunker.js';
import { RagloomError } from '../errors/ragloom-error.js';
import { parseFilter } from '../filter/parse-filter.js';
import { assertPositiveInteger } from '../retriever/retriever-validation.js';
import { throwIfAborted } from '../util/abort.js';
import {
  type Answerer,
  type AnswerRequest,
  declinedAnswer,
  extractiveMode,
  generatedMode,
  replayAnswer,
} from './answer-modes.js';
import { deleteDocumentChunks, type IngestComponents, ingestDocuments } from './ingest-documents.js';
import type {
  AskOptions,
  AskResult,
  AskStreamPart,
  Pipeline,
  PipelineOptions,
  RetrieveOptions,
  RetrieveResult,
} from './pipeline-types.js';
import {
  assertEncoderFits,
  bindRetrievers,
  embedQuery,
  fuseLists,
  namedPassage,
  rerankPassages,
  searchAll,
} from './retrieval-stages.js';

/**
 * Composes ragloom components into a RAG pipeline: `ingest` (chunk → embed → upsert, batched,
 * abortable, with progress) and `ask` (embed → retrieve from one or more retrievers → fuse → rerank
 * → answer), returning the answer with citations mapped back to chunks and offsets. Without a
 * generator the answer is extractive — quoted sentences — or a typed decline when the documents do not
 * answer the question; the generation limits (`maxTokens`, `stop`) hold in both modes.
 */
export function createPipeline(options: PipelineOptions): Pipeline {
  const bound = bindRetrievers(options.retrievers ?? []);
  const { encoder } = options;
  assertEncoderFits(bound, encoder);
  const candidateK = options.candidateK ?? 20;
  const topK = options.topK ?? 5;
  assertPositiveInteger(candidateK, 'candidateK');
  assertPositiveInteger(topK, 'topK');
  const components: IngestComponents = {
    bound,
    chunker: options.chunker ?? createRecursiveChunker({ chunkSize: 1000, chunkOverlap: 100 }),
    encoder,
    batchSize: Math.min(64, encoder?.maxBatchSize ?? 64),
  };
  const answerer: Answerer = options.generator
    ? generatedMode(options.generator, { systemPrompt: options.systemPrompt })
    : extractiveMode(options.extractive);

  async function retrieveWithUsage(query: string, opts: RetrieveOptions = {}): Promise<RetrieveResult> {
    if (typeof query !== 'string' || query.trim() === '') {
      throw new RagloomError('INVALID_ARGUMENT', 'the query must be a non-empty string');
    }
    const k = opts.k ?? topK;
    assertPositiveInteger(k, 'k');
    if (opts.filter !== undefined) parseFilter(opts.filter); // fail before any embedding work
    const { signal, filter } = opts;
    throwIfAborted(signal, 'retrieve');
    const embedding = await embedQuery(encoder, bound, query, signal);
    const lists = await searchAll(bound, {
      query,
      embedding,
      encoderModelId: encoder?.modelId,
      k: Math.max(candidateK, k),
      filter,
      signal,
    });
    const fused = fuseLists(lists, bound, options).map((hit) => namedPassage(hit, bound));
    const passages = options.reranker
      ? await rerankPassages(options.reranker, query, fused.slice(0, Math.max(candidateK, k)), k, signal)
      : fused.slice(0, k);
    return { passages, ...(embedding.tokens === undefined ? {} : { embeddingTokens: embedding.tokens }) };
  }

  async function answerRequest(question: string, opts: AskOptions): Promise<AnswerRequest> {
    const { passages, embeddingTokens } = await retrieveWithUsage(question, opts);
    return {
      question,
      passages,
      options: opts,
      ...(embeddingTokens === undefined ? {} : { embeddingTokens }),
    };
  }

  async function* askStream(question: string, opts: AskOptions = {}): AsyncGenerator<AskStreamPart> {
    const request = await answerRequest(question, opts);
    yield { type: 'passages', passages: request.passages, mode: answerer.mode };
    if (request.passages.length === 0) {
      yield* replayAnswer(declinedAnswer(request, answerer.mode, 'no-passages'));
      return;
    }
    yield* answerer.stream(request);
  }

  async function ask(question: string, opts: AskOptions = {}): Promise<AskResult> {
    const request = await answerRequest(question, opts);
    if (request.passages.length === 0) return declinedAnswer(request, answerer.mode, 'no-passages').result;
    return answerer.answer(request);
  }

  return {
    ingest: (documents, opts) => ingestDocuments(components, documents, opts),
    deleteDocuments: (documentIds) => deleteDocumentChunks(bound, documentIds),
    retrieve: async (query, opts) => (await retrieveWithUsage(query, opts)).passages,
    retrieveWithUsage,
    ask,
    askStream,
  };
}
