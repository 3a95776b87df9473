import { createHash } from 'node:crypto';
import {
  type ChunkerV1,
  type Document,
  type IngestOptions,
  type IngestResult,
  type Metadata,
  RagloomError,
} from '@ragloom/core';
import { createStagingArea } from '../index-set/staging-area.js';
import type { LoadedDocument } from '../loaders/loaded-document.js';
import { lineAtOffset, lineStarts } from '../loaders/source-lines.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { type IngestState, UNCONFIRMED_SHA256 } from './ingest-state.js';
import { createLocatedChunker } from './located-chunker.js';
import { requireWriter } from './require-writer.js';

/**
 * Documents sent over the API live under this prefix, so they can never take the id of a file-sourced
 * document: file ids are paths (relative ones never contain `//`, absolute ones start with `/` or a drive).
 */
export const API_ID_PREFIX = 'api://';

export interface DocumentInput {
  readonly id: string;
  readonly text: string;
  readonly metadata?: Metadata;
}

export interface IngestDocumentsOptions {
  readonly signal?: AbortSignal;
  /**
   * Use ids and `metadata.source` as given, so these documents may replace file-sourced ones and cite
   * files (`server.allowFileSources`). Default false: ids get the `api://` prefix, `metadata.source` is refused.
   */
  readonly sharedNamespace?: boolean;
}

export interface IngestDocumentsResult {
  /** The generation of the index set that holds them. */
  readonly generation: number;
  readonly documents: number;
  readonly chunks: number;
  /** The ids they are stored (and cited) under. */
  readonly ids: string[];
}

export function storedDocumentId(id: string, sharedNamespace = false): string {
  return sharedNamespace ? id : `${API_ID_PREFIX}${id}`;
}

function invalid(message: string, param: string): RagloomError {
  return new RagloomError('INVALID_ARGUMENT', message, { details: { param } });
}

function toDocuments(inputs: readonly DocumentInput[], shared: boolean): Document[] {
  const seen = new Map<string, number>();
  return inputs.map((input, i) => {
    const first = seen.get(input.id);
    if (first !== undefined)
      throw invalid(
        `documents[${i}].id "${input.id}" is also the id of documents[${first}]`,
        `documents[${i}].id`,
      );
    seen.set(input.id, i);
    const clientSource = input.metadata?.source;
    if (!shared && clientSource !== undefined) {
      throw invalid(
        `documents[${i}].metadata.source: documents sent over the API are cited by their id ` +
          `("${storedDocumentId(input.id)}"); naming a source is allowed only when the server sets ` +
          'server.allowFileSources',
        `documents[${i}].metadata.source`,
      );
    }
    const id = storedDocumentId(input.id, shared);
    return {
      id,
      text: input.text.replace(/\r\n?/g, '\n'),
      metadata: {
        ...input.metadata,
        source: shared && typeof clientSource === 'string' ? clientSource : id,
        type: 'text',
      },
    };
  });
}

const contentHash = (d: Document) =>
  createHash('sha256')
    .update(JSON.stringify([d.text, d.metadata ?? {}]))
    .digest('hex');

/** Removes documents from the state: their API entries, and their share of the files that held them. */
function withoutDocuments(state: IngestState, ids: ReadonlySet<string>): IngestState {
  const api = { ...state.api };
  for (const id of ids) delete api[id];
  const files = { ...state.files };
  for (const [source, entry] of Object.entries(files)) {
    if (!entry.documents.some((id) => ids.has(id))) continue;
    // The file no longer owns these documents: it is ingested again by the next run over it.
    const keep = entry.documents.map((id) => !ids.has(id));
    const dropped = entry.documents.reduce(
      (n, _, j) =>
        keep[j] ? n : n + (entry.documentChunks?.[j] ?? (entry.documents.length === 1 ? entry.chunks : 0)),
      0,
    );
    files[source] = {
      ...entry,
      sha256: UNCONFIRMED_SHA256,
      documents: entry.documents.filter((_, j) => keep[j]),
      documentChunks: entry.documentChunks?.filter((_, j) => keep[j]),
      chunks: Math.max(0, entry.chunks - dropped),
    };
  }
  return { ...state, api, files };
}

/** The state after documents were stored: their API entries (replacing file documents of the same id). */
function withApiDocuments(
  state: IngestState,
  stored: readonly { document: Document; chunks: number }[],
): IngestState {
  const next = withoutDocuments(state, new Set(stored.map((s) => s.document.id)));
  const now = new Date().toISOString();
  for (const { document, chunks } of stored)
    next.api[document.id] = { chunks, sha256: contentHash(document), ingestedAt: now };
  return next;
}

export interface CommittedIngest {
  readonly generation: number;
  readonly result: IngestResult;
  readonly ids: string[];
}

/**
 * Runs a pipeline ingest of documents into staged writes and commits them, with their ingest-state
 * entries, to every retriever of the set: all of them or, on abort, error or crash, none. Documents
 * with an id stored before replace it (a file's document too: that file is then ingested again by the
 * next run over it). This is what `runtime.pipeline.ingest` does on a writer runtime.
 */
export async function commitDocuments(
  runtime: RagloomRuntime,
  documents: Iterable<Document> | AsyncIterable<Document>,
  options: IngestOptions & { readonly chunker?: ChunkerV1 } = {},
): Promise<CommittedIngest> {
  const writer = requireWriter(runtime, 'ingest');
  return writer.operations.read(async () => {
    const chunksPerDocument = new Map<string, number>();
    const inner = options.chunker ?? runtime.chunker;
    const chunker: ChunkerV1 = {
      ...inner,
      async chunk(document: Document) {
        const chunks = await inner.chunk(document);
        chunksPerDocument.set(document.id, chunks.length);
        return chunks;
      },
    };
    const stored: { document: Document; chunks: number }[] = [];
    async function* recorded() {
      for await (const document of documents) {
        stored.push({ document, chunks: 0 });
        yield document;
      }
    }
    const staging = createStagingArea(runtime.retrievers);
    const pipeline = runtime.pipelineWith({ chunker, retrievers: staging.entries });
    const result = await pipeline.ingest(recorded(), options);
    const counted = stored.map((s) => ({ ...s, chunks: chunksPerDocument.get(s.document.id) ?? 0 }));
    const { generation } = await writer.commit({
      writes: staging.take(),
      signal: options.signal,
      update: (state) => withApiDocuments(state, counted),
    });
    return { generation, result, ids: counted.map((s) => s.document.id) };
  });
}

/** Removes documents from every retriever of the set and from the ingest state, in one commit. */
export async function commitDeletion(
  runtime: RagloomRuntime,
  documentIds: readonly string[],
): Promise<{ generation: number }> {
  const writer = requireWriter(runtime, 'deleteDocuments');
  return writer.operations.read(async () => {
    const staging = createStagingArea(runtime.retrievers);
    await runtime.pipelineWith({ retrievers: staging.entries }).deleteDocuments(documentIds);
    return writer.commit({
      writes: staging.take(),
      update: (state) => withoutDocuments(state, new Set(documentIds)),
    });
  });
}

/**
 * Stores documents given as text (`POST /ingest`): chunked with source lines, embedded, and committed to
 * every retriever of the set together with their ingest-state entries — all of them or, on abort, error
 * or crash, none. Documents with an id stored before replace it.
 */
export async function ingestDocuments(
  runtime: RagloomRuntime,
  inputs: readonly DocumentInput[],
  options: IngestDocumentsOptions = {},
): Promise<IngestDocumentsResult> {
  const documents = toDocuments(inputs, options.sharedNamespace === true);
  const located = new Map<string, LoadedDocument>();
  for (const document of documents) {
    const starts = lineStarts(document.text);
    located.set(document.id, { document, lineAt: (offset) => lineAtOffset(starts, offset) });
  }
  const { generation, result, ids } = await commitDocuments(runtime, documents, {
    signal: options.signal,
    chunker: createLocatedChunker(runtime.chunker, (id) => located.get(id)),
  });
  return { generation, documents: result.documents, chunks: result.chunks, ids };
}
