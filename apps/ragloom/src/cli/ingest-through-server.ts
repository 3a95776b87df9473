import { isRagloomError, RAGLOOM_ERROR_CODES, RagloomError, type RagloomErrorCode } from '@ragloom/core';
import type { LockHolder } from '../index-set/writer-lock.js';
import type { IngestFilesOptions, IngestFilesResult } from '../ingest/ingest-files.js';
import { type FileIngestEvent, WRITER_TOKEN_HEADER } from '../server/file-ingest-route.js';

export interface FileIngestRequest {
  readonly paths: readonly string[];
  readonly prune?: boolean;
  readonly rebuild?: boolean;
  readonly exclude?: readonly string[];
  readonly config: string;
  readonly settings: string;
}

const codeOf = (code: unknown): RagloomErrorCode => {
  const upper = typeof code === 'string' ? code.toUpperCase() : '';
  return (RAGLOOM_ERROR_CODES as readonly string[]).includes(upper)
    ? (upper as RagloomErrorCode)
    : 'UPSTREAM_ERROR';
};

/**
 * Hands an ingest to the `ragloom serve` that owns the data dir (its lock gives the URL and a token only
 * readers of the data dir have) and follows its NDJSON stream: the same progress, warnings and result as
 * an ingest in this process, committed by the server's writer. Ctrl-C closes the stream, which stops the
 * ingest at its last checkpoint there. A server that goes away mid-way is CONNECTION_ERROR.
 */
export async function ingestThroughServer(
  holder: LockHolder & { server: { url: string } },
  request: FileIngestRequest,
  options: Pick<IngestFilesOptions, 'signal' | 'onProgress' | 'onWarning'> & { apiKey?: string },
): Promise<IngestFilesResult> {
  const url = `${holder.server.url}/ingest/files`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WRITER_TOKEN_HEADER]: holder.token,
        ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}),
      },
      body: JSON.stringify(request),
      signal: options.signal,
    });
  } catch (cause) {
    if (options.signal?.aborted) throw new RagloomError('ABORTED', 'ingest was interrupted', { cause });
    throw new RagloomError(
      'CONNECTION_ERROR',
      `cannot reach the server that owns the data dir at ${holder.server.url} (pid ${holder.pid}): ${(cause as Error).message}`,
      { cause, retryable: true },
    );
  }
  if (!response.ok || !response.body) {
    const body = (await response.json().catch(() => ({}))) as { error?: { message?: string; code?: string } };
    const message = body.error?.message ?? `HTTP ${response.status}`;
    throw new RagloomError(
      response.status === 401 ? 'AUTH_ERROR' : codeOf(body.error?.code),
      response.status === 401
        ? `the server at ${holder.server.url} needs its API key: set the variable named by server.apiKeyEnv`
        : `the server at ${holder.server.url} refused the ingest: ${message}`,
      { details: { status: response.status } },
    );
  }
  let result: IngestFilesResult | undefined;
  let buffered = '';
  const handle = (line: string) => {
    if (line.trim() === '') return;
    const event = JSON.parse(line) as FileIngestEvent;
    if (event.type === 'progress') options.onProgress?.(event.progress);
    else if (event.type === 'warning') options.onWarning?.(event.message);
    else if (event.type === 'result') result = event.result;
    else throw new RagloomError(codeOf(event.error.code), event.error.message);
  };
  try {
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buffered += decoder.decode(value, { stream: true });
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        handle(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
        newline = buffered.indexOf('\n');
      }
    }
    handle(buffered);
  } catch (cause) {
    if (isRagloomError(cause)) throw cause;
    if (options.signal?.aborted) throw new RagloomError('ABORTED', 'ingest was interrupted', { cause });
    throw lostServer(holder, cause);
  }
  if (!result) throw lostServer(holder);
  return result;
}

function lostServer(holder: LockHolder & { server: { url: string } }, cause?: unknown): RagloomError {
  return new RagloomError(
    'CONNECTION_ERROR',
    `the server at ${holder.server.url} stopped before the ingest finished; the index keeps what its ` +
      'checkpoints committed: run the same command again to finish',
    { cause, retryable: true },
  );
}
