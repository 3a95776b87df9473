import { realpathSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isRagloomError, RagloomError } from '@ragloom/core';
import { ingestFiles } from '../ingest/ingest-files.js';
import type { RagloomRuntime } from '../runtime/open-runtime.js';
import { fileIngestRequestSchema, parseRequest } from './request-schemas.js';
import { readOnlyError } from './search-and-ingest.js';
import { secretsEqual } from './secret-compare.js';

/** The header the CLI sends with the token it read from the data dir's lock file. */
export const WRITER_TOKEN_HEADER = 'x-ragloom-writer-token';

/** One line of the NDJSON stream `POST /ingest/files` answers with. */
export type FileIngestEvent =
  | {
      readonly type: 'progress';
      readonly progress: Parameters<NonNullable<Parameters<typeof ingestFiles>[1]['onProgress']>>[0];
    }
  | { readonly type: 'warning'; readonly message: string }
  | { readonly type: 'result'; readonly result: Awaited<ReturnType<typeof ingestFiles>> }
  | { readonly type: 'error'; readonly error: { readonly code: string; readonly message: string } };

const realpath = (path: string) => {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
};

/**
 * Checks a `POST /ingest/files` request before any work: the sender must have read this data dir's lock
 * file (only its owner can), and run with this server's config, so that file names and settings agree.
 */
export async function checkFileIngest(runtime: RagloomRuntime, req: IncomingMessage, body: unknown) {
  const writer = runtime.indexSet.writer;
  if (!writer) throw await readOnlyError(runtime);
  const sent = req.headers[WRITER_TOKEN_HEADER];
  if (!secretsEqual(typeof sent === 'string' ? sent : undefined, writer.lock.holder.token)) {
    throw new RagloomError(
      'AUTH_ERROR',
      `POST /ingest/files is for the ragloom CLI on this machine: send the token from ${runtime.loaded.dataDir}/writer.lock in ${WRITER_TOKEN_HEADER}`,
      { details: { httpStatus: 403 } },
    );
  }
  const request = parseRequest(fileIngestRequestSchema, body);
  if (realpath(request.config) !== realpath(runtime.loaded.path)) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `this server runs with the config ${runtime.loaded.path}, the ingest with ${request.config}; ` +
        'use the same config for both (--config), or stop the server',
      { details: { param: 'config', httpStatus: 409 } },
    );
  }
  if (request.settings !== runtime.settingsFingerprint) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `the chunker, encoder or retrievers in ${runtime.loaded.path} changed since this server started; ` +
        'restart `ragloom serve`, then ingest again',
      { details: { param: 'settings', httpStatus: 409 } },
    );
  }
  return request;
}

/**
 * Runs a checked file ingest in this process (the one writer of the data dir) and streams its progress,
 * warnings and result as NDJSON. Each checkpoint commits as it would in the CLI; a client that goes away
 * aborts the ingest at its last checkpoint.
 */
export async function streamFileIngest(
  runtime: RagloomRuntime,
  request: Awaited<ReturnType<typeof checkFileIngest>>,
  res: ServerResponse,
  signal: AbortSignal,
  onError?: (error: unknown) => void,
): Promise<void> {
  res.writeHead(200, { 'content-type': 'application/x-ndjson; charset=utf-8', 'cache-control': 'no-store' });
  const send = (event: FileIngestEvent) => {
    if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
  };
  let lastProgress = 0;
  try {
    const result = await ingestFiles(runtime, {
      paths: request.paths,
      exclude: request.exclude,
      prune: request.prune,
      rebuild: request.rebuild,
      signal,
      onWarning: (message) => send({ type: 'warning', message }),
      onProgress: (progress) => {
        const now = Date.now();
        if (progress.phase === 'ingesting' && now - lastProgress < 100) return;
        lastProgress = now;
        send({ type: 'progress', progress });
      },
    });
    send({ type: 'result', result });
  } catch (error) {
    const e = isRagloomError(error) ? error : undefined;
    if (!e) onError?.(error);
    send({
      type: 'error',
      error: { code: e?.code ?? 'IO_ERROR', message: e?.message ?? `the ingest failed: ${String(error)}` },
    });
  } finally {
    res.end();
  }
}
