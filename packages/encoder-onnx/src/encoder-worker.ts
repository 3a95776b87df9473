import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { isRagloomError } from '@ragloom/core';
import { createEncoderRuntime } from './onnx-encoder.js';
import type { OnnxEncoderOptions } from './onnx-encoder-options.js';
import type { WorkerRequest, WorkerResponse } from './worker-pool.js';

const describeError = (error: unknown) => ({
  code: isRagloomError(error) ? error.code : undefined,
  message: error instanceof Error ? error.message : String(error),
  ...(isRagloomError(error) ? { details: error.details } : {}),
});

// Entry point of an encoder worker thread (see worker-pool.ts); does nothing when imported elsewhere.
if (!isMainThread && parentPort) {
  const port = parentPort;
  const post = (message: WorkerResponse, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);
  createEncoderRuntime(workerData as OnnxEncoderOptions).then(
    (runtime) => {
      port.on('message', async (request: WorkerRequest) => {
        try {
          const encodings = runtime.tokenize(request.texts, request.inputType);
          const vectors = await runtime.embedTokenized(encodings);
          const tokens = encodings.reduce((n, e) => n + e.ids.length, 0);
          post(
            { id: request.id, vectors, tokens },
            vectors.map((v) => v.buffer as ArrayBuffer),
          );
        } catch (error) {
          post({ id: request.id, error: describeError(error) });
        }
      });
      post({ ready: true });
    },
    (error: unknown) => post({ failed: describeError(error) }),
  );
}
