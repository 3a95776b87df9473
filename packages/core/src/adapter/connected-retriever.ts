import { RagloomError } from '../errors/ragloom-error.js';
import type { RetrieverRecord, RetrieverV1, SearchHit, SearchRequest } from '../spec/retriever-v1.js';

/**
 * A retriever on a store it reaches over a connection (a database, a vector server): it connects lazily,
 * the store persists every acknowledged write, and `save`/`close` wait for this retriever's writes in flight.
 * The pgvector and Qdrant adapters are these; each adds its own extras (`compact`, `dropTable`, ...).
 */
export interface ConnectedRetriever<
  Request extends SearchRequest,
  UpsertOptions extends { signal?: AbortSignal },
> extends RetrieverV1 {
  /** Connects and creates or verifies the index now (every other method does it on first use). */
  init(): Promise<void>;
  upsert(records: readonly RetrieverRecord[], options?: UpsertOptions): Promise<void>;
  search(request: Request): Promise<SearchHit[]>;
  scan(options?: { batchSize?: number; signal?: AbortSignal }): AsyncIterable<RetrieverRecord[]>;
  /** The store persists every acknowledged write; this waits for this retriever's writes in flight. */
  save(): Promise<void>;
  /** Refuses new work, waits for writes in flight, then releases what the retriever owns (a pool it made). */
  close(): Promise<void>;
}

/** The connection state a `ConnectedRetriever` keeps: opened once, writes tracked, closed for good. */
export interface ConnectionLifecycle<T> {
  /** Runs `open` once and shares its result; after a failure the next call tries again; INVALID_ARGUMENT once closed. */
  ready(): Promise<T>;
  /** Registers a write so `settle` (save, close, drop) waits for it; returns the write itself. */
  track<R>(write: Promise<R>): Promise<R>;
  /** Waits for the writes in flight (their failures went to their own callers). */
  settle(): Promise<void>;
  /** Forgets the opened state (the index was dropped): the next use opens, and creates, again. */
  forget(): void;
  /** Refuses new work, waits for writes in flight, then runs `release` once; later calls do nothing. */
  close(release?: () => Promise<void>): Promise<void>;
}

/**
 * The lifecycle of a connected retriever. `what` names it in the closed error
 * (`the pgvector retriever for public.docs is closed`).
 */
export function createConnectionLifecycle<T>(what: string, open: () => Promise<T>): ConnectionLifecycle<T> {
  let opened: Promise<T> | undefined;
  let closed = false;
  const inFlight = new Set<Promise<unknown>>();
  const settle = async () => {
    await Promise.allSettled([...inFlight]);
  };
  return {
    ready() {
      if (closed) return Promise.reject(new RagloomError('INVALID_ARGUMENT', `${what} is closed`));
      opened ??= open().catch((error: unknown) => {
        opened = undefined; // a failed open (server down, wrong key) may succeed when retried
        throw error;
      });
      return opened;
    },
    track(write) {
      inFlight.add(write);
      const done = () => inFlight.delete(write);
      write.then(done, done);
      return write;
    },
    settle,
    forget() {
      opened = undefined;
    },
    async close(release) {
      if (closed) return;
      closed = true;
      await settle();
      await release?.();
    },
  };
}
