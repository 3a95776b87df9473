import type { Filter } from '../filter/filter-types.js';
import type { ChunkerV1 } from '../spec/chunker-v1.js';
import type { EncoderV1 } from '../spec/encoder-v1.js';
import type {
  ChatMessage,
  FinishReason,
  GenerateRequest,
  GeneratorV1,
  TokenUsage,
} from '../spec/generator-v1.js';
import type { RerankerV1 } from '../spec/reranker-v1.js';
import type { RetrieverV1 } from '../spec/retriever-v1.js';
import type { Document } from '../spec/shared-types.js';
import type { ExtractiveAnswerOptions } from './extractive-answer.js';
import type { IngestOptions, IngestResult } from './ingest-documents.js';
import type { Citation, RetrievedPassage } from './passage.js';
import type { FusionSettings, RetrieverBinding } from './retrieval-stages.js';

export interface PipelineOptions extends FusionSettings {
  /** Required when any retriever is dense; its model id must match their manifests. */
  readonly encoder?: EncoderV1;
  /** One or more retrievers; several are fused (hybrid search). */
  readonly retrievers: readonly (RetrieverV1 | RetrieverBinding)[];
  /** Default: recursive, 1000 characters, 100 overlap. */
  readonly chunker?: ChunkerV1;
  readonly reranker?: RerankerV1;
  /** Without a generator, `ask` answers extractively (quoted sentences with citations). */
  readonly generator?: GeneratorV1;
  /** Candidates per retriever before fusion and reranking (default 20). */
  readonly candidateK?: number;
  /** Passages given to the generator (default 5). */
  readonly topK?: number;
  /** Chunks per embed + upsert batch during ingest (default: the encoder's maxBatchSize, capped at 64). */
  readonly batchSize?: number;
  /** Replaces the default RAG instructions. */
  readonly systemPrompt?: string;
  /** How extractive answers pick sentences and when they decline (see `extractiveAnswer`). */
  readonly extractive?: ExtractiveAnswerOptions;
}

export interface RetrieveOptions {
  /** Passages to return (default: the pipeline's topK). */
  readonly k?: number;
  readonly filter?: Filter;
  readonly signal?: AbortSignal;
}

/** Passages, and what retrieving them cost. */
export interface RetrieveResult {
  readonly passages: RetrievedPassage[];
  /** Tokens the encoder embedded for the query (absent when nothing was embedded or it does not say). */
  readonly embeddingTokens?: number;
}

export interface AskOptions extends RetrieveOptions {
  /** Earlier turns of a chat. */
  readonly history?: readonly ChatMessage[];
  /**
   * Generation settings. A generator gets all of them; extractive answers honour `maxTokens` (words)
   * and `stop` the same way, so a config answers alike in every mode.
   */
  readonly generation?: Omit<GenerateRequest, 'messages' | 'signal'>;
}

export type AnswerMode = 'generated' | 'extractive';

/** 'declined': the documents do not answer the question — scored as "no answer" by QA evaluation. */
export type AskOutcome = 'answered' | 'declined';

/** Why an answer was declined: nothing was retrieved, or what was does not answer the question. */
export type DeclineReason = 'no-passages' | 'weak-evidence';

export interface AskResult {
  readonly answer: string;
  readonly citations: Citation[];
  readonly passages: RetrievedPassage[];
  readonly mode: AnswerMode;
  readonly outcome: AskOutcome;
  /** Present when `outcome` is 'declined'. */
  readonly declineReason?: DeclineReason;
  readonly finishReason: FinishReason;
  /** Generator tokens (for extractive answers: the question's and the answer's words). */
  readonly usage?: TokenUsage;
  /** Tokens the encoder embedded for the question. */
  readonly embeddingTokens?: number;
  /** Extractive answers: how much of the question the quoted sentences cover, 0–1. */
  readonly evidence?: number;
}

export type AskStreamPart =
  | { readonly type: 'passages'; readonly passages: RetrievedPassage[]; readonly mode: AnswerMode }
  | { readonly type: 'text-delta'; readonly delta: string }
  | ({ readonly type: 'finish' } & AskResult);

export interface Pipeline {
  ingest(
    documents: Iterable<Document> | AsyncIterable<Document>,
    options?: IngestOptions,
  ): Promise<IngestResult>;
  /** Removes every chunk of these documents from every retriever. */
  deleteDocuments(documentIds: readonly string[]): Promise<{ deleted: number }>;
  retrieve(query: string, options?: RetrieveOptions): Promise<RetrievedPassage[]>;
  /** `retrieve`, with the tokens it embedded. */
  retrieveWithUsage(query: string, options?: RetrieveOptions): Promise<RetrieveResult>;
  ask(question: string, options?: AskOptions): Promise<AskResult>;
  askStream(question: string, options?: AskOptions): AsyncIterable<AskStreamPart>;
}
