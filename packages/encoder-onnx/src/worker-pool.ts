import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import {
  abortError,
  type EmbedResult,
  type EncoderInputType,
  RagloomError,
  type RagloomErrorCode,
} from '@ragloom/core';
import type { OnnxEncoderOptions } from './onnx-encoder-options.js';

/** What crosses the thread boundary: plain data only. */
export type WorkerRequest = { id: number; texts: readonly string[]; inputType: EncoderInputType };
export type WorkerResponse =
  | { id: number; vectors: Float32Array[]; tokens: number }
  | {
      id: number;
      error: { code: RagloomErrorCode | undefined; message: string; details?: Record<string, unknown> };
    }
  | { ready: true }
  | { failed: { code: RagloomErrorCode | undefined; message: string } };

export interface EncoderWorkerPool {
  embed(texts: readonly string[], inputType: EncoderInputType, signal?: AbortSignal): Promise<EmbedResult>;
  close(): Promise<void>;
}

function workerUrl(): URL {
  const built = new URL('./encoder-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return built;
  // Running from the TypeScript sources (tests): workers need JavaScript, so use the build beside them.
  return new URL('../dist/encoder-worker.js', import.meta.url);
}

/** Options a worker can receive: functions, signals and fetch implementations stay in the calling thread. */
function cloneableOptions(options: OnnxEncoderOptions): OnnxEncoderOptions {
  const { onProgress: _p, signal: _s, fetch: _f, env, ...rest } = options;
  // The calling thread has already fetched every file into the cache: workers read it from there.
  return { ...rest, ...(env ? { env: { ...env } } : {}), offline: true, workers: 0 };
}

const toError = (e: {
  code: RagloomErrorCode | undefined;
  message: string;
  details?: Record<string, unknown>;
}) => new RagloomError(e.code ?? 'UPSTREAM_ERROR', e.message, e.details ? { details: e.details } : {});

/**
 * Worker threads, each with its own session, fed chunks of texts. A chunk is big enough to keep sorting by length
 * worthwhile; results are stitched back in input order. Abort is checked before each chunk is handed out.
 */
export async function createEncoderWorkerPool(
  options: OnnxEncoderOptions,
  size: number,
): Promise<EncoderWorkerPool> {
  const chunkSize = (options.maxBatchSize ?? 64) * 2;
  const workers: Worker[] = [];
  const pending = new Map<number, { resolve: (r: WorkerResponse) => void; reject: (e: unknown) => void }>();
  let nextId = 0;
  const start = (): Promise<Worker> =>
    new Promise((resolveStart, rejectStart) => {
      const worker = new Worker(workerUrl(), { workerData: cloneableOptions(options) });
      worker.once('error', rejectStart);
      worker.on('message', (message: WorkerResponse) => {
        if ('ready' in message) return resolveStart(worker);
        if ('failed' in message) return rejectStart(toError(message.failed));
        const waiter = pending.get(message.id);
        pending.delete(message.id);
        waiter?.resolve(message);
      });
      worker.on('error', (error) => {
        for (const [id, waiter] of pending) {
          pending.delete(id);
          waiter.reject(error);
        }
      });
    });
  try {
    for (let i = 0; i < size; i++) workers.push(await start());
  } catch (error) {
    await Promise.all(workers.map((w) => w.terminate()));
    throw error;
  }
  const call = (worker: Worker, request: WorkerRequest) =>
    new Promise<WorkerResponse>((resolveCall, rejectCall) => {
      pending.set(request.id, { resolve: resolveCall, reject: rejectCall });
      worker.postMessage(request);
    });

  return {
    async embed(texts, inputType, signal) {
      const embeddings: Float32Array[] = new Array(texts.length);
      let tokens = 0;
      let cursor = 0;
      const run = async (worker: Worker): Promise<void> => {
        while (cursor < texts.length) {
          if (signal?.aborted) throw abortError(signal, 'embedding');
          const from = cursor;
          cursor = Math.min(texts.length, cursor + chunkSize);
          const response = await call(worker, { id: nextId++, texts: texts.slice(from, cursor), inputType });
          if ('error' in response) throw toError(response.error);
          if (!('vectors' in response)) throw new Error('unexpected worker message');
          response.vectors.forEach((v, k) => {
            embeddings[from + k] = v;
          });
          tokens += response.tokens;
        }
      };
      await Promise.all(workers.map(run));
      if (signal?.aborted) throw abortError(signal, 'embedding');
      return { embeddings, usage: { tokens } };
    },
    async close() {
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
