import { createHash, type Hash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { abortError, isAbortError, isRagloomError, RagloomError } from '@ragloom/core';
import { isRetryableHttpStatus } from '@ragloom/core/adapter';
import type { DownloadProgressEvent } from './hub-options.js';

export interface DownloadFileOptions {
  readonly url: string;
  /** The final path; bytes go to `${destination}.incomplete` first and are renamed when verified. */
  readonly destination: string;
  /** The file's path in the repository, for messages and progress events. */
  readonly file: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly expectedSize?: number;
  readonly expectedSha256?: string;
  readonly maxRetries: number;
  readonly onProgress?: (event: DownloadProgressEvent) => void;
  readonly signal?: AbortSignal;
  readonly fetch: typeof fetch;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolveSleep, reject) => {
    const timer = setTimeout(resolveSleep, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(abortError(signal, 'download'));
      },
      { once: true },
    );
  });

async function hashExisting(path: string, hash: Hash): Promise<void> {
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
}

/** An HTTP status worth retrying (core's one status map: 408, 409, 429, 5xx). */
export const isRetryableStatus = isRetryableHttpStatus;

export function httpError(url: string, status: number, file: string): RagloomError {
  const hint =
    status === 401 || status === 403
      ? ' (private or gated repository, or no such repository: set HF_TOKEN or the `token` option)'
      : status === 404
        ? ' (no such file at this revision)'
        : '';
  return new RagloomError(
    'DOWNLOAD_FAILED',
    `downloading ${file} failed: HTTP ${status} from ${url}${hint}`,
    {
      details: { url, status, file },
      retryable: isRetryableStatus(status),
    },
  );
}

/**
 * Downloads `url` to `destination` with resume: a partial `.incomplete` file left by an earlier attempt (this
 * process or a previous one) is continued with an HTTP Range request; a transfer that breaks off is retried with
 * backoff. The result is checked against the expected size and sha256 before it is renamed into place, so
 * `destination` only ever holds a complete, verified file.
 */
export async function downloadFile(options: DownloadFileOptions): Promise<void> {
  const { url, destination, file, signal } = options;
  const partial = `${destination}.incomplete`;
  await mkdir(dirname(partial), { recursive: true });
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.maxRetries; attempt++) {
    if (attempt > 0) await sleep(Math.min(200 * 2 ** (attempt - 1), 5000) * (0.5 + Math.random()), signal);
    if (signal?.aborted) throw abortError(signal, `download of ${file}`);
    try {
      await downloadAttempt(options, partial);
      lastError = undefined;
      break;
    } catch (error) {
      if (isAbortError(error) || signal?.aborted) throw abortError(signal, `download of ${file}`);
      if (isRagloomError(error) && !error.retryable) throw error;
      lastError = error;
    }
  }
  if (lastError !== undefined) {
    if (isRagloomError(lastError)) throw lastError;
    throw new RagloomError(
      'DOWNLOAD_FAILED',
      `downloading ${file} from ${url} failed after ${options.maxRetries + 1} attempt(s): ${String(
        (lastError as Error)?.message ?? lastError,
      )}; the partial file is kept and the next attempt resumes it`,
      { cause: lastError, details: { url, file, partial }, retryable: true },
    );
  }
  await verifyAndCommit(options, partial);
}

async function downloadAttempt(options: DownloadFileOptions, partial: string): Promise<void> {
  const { url, file, signal } = options;
  let offset = existsSync(partial) ? (await stat(partial)).size : 0;
  if (options.expectedSize !== undefined && offset > options.expectedSize) {
    await rm(partial, { force: true });
    offset = 0;
  }
  // Byte ranges and sizes refer to the stored bytes: no transparent compression.
  const headers: Record<string, string> = { ...options.headers, 'accept-encoding': 'identity' };
  if (offset > 0) headers.Range = `bytes=${offset}-`;
  const response = await options.fetch(url, { headers, redirect: 'follow', ...(signal ? { signal } : {}) });
  if (response.status === 416 && offset > 0) {
    // The partial file is as long as (or longer than) the resource: start again from zero.
    await response.body?.cancel();
    await rm(partial, { force: true });
    throw new RagloomError('DOWNLOAD_FAILED', `range not satisfiable for ${url}; restarting`, {
      retryable: true,
      details: { url, status: 416, file },
    });
  }
  if (response.status !== 200 && response.status !== 206) {
    await response.body?.cancel();
    throw httpError(url, response.status, file);
  }
  let append = false;
  if (response.status === 206) {
    const range = /^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '');
    if (range && Number(range[1]) === offset) append = true;
    else {
      await response.body?.cancel();
      await rm(partial, { force: true });
      throw new RagloomError('DOWNLOAD_FAILED', `unexpected Content-Range from ${url}; restarting`, {
        retryable: true,
        details: { url, file },
      });
    }
  }
  const length = Number(response.headers.get('content-length') ?? Number.NaN);
  const total =
    options.expectedSize ?? (Number.isFinite(length) ? (append ? offset : 0) + length : undefined);
  let completed = append ? offset : 0;
  const handle = await open(partial, append ? 'a' : 'w');
  try {
    const emit = () =>
      options.onProgress?.({
        phase: 'download',
        file,
        url,
        completed,
        ...(total !== undefined ? { total } : {}),
        message: file,
      });
    emit();
    if (response.body) {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await handle.write(chunk);
        completed += chunk.byteLength;
        emit();
      }
    }
  } finally {
    await handle.close();
  }
  if (total !== undefined && completed < total) {
    throw new RagloomError(
      'DOWNLOAD_FAILED',
      `transfer of ${url} ended early at ${completed} of ${total} bytes`,
      {
        retryable: true,
        details: { url, file, completed, total },
      },
    );
  }
}

async function verifyAndCommit(options: DownloadFileOptions, partial: string): Promise<void> {
  const { url, file, destination } = options;
  const size = (await stat(partial)).size;
  if (options.expectedSize !== undefined && size !== options.expectedSize) {
    await rm(partial, { force: true });
    throw new RagloomError(
      'CHECKSUM_MISMATCH',
      `${file} from ${url} has ${size} bytes, expected ${options.expectedSize}; the download was deleted`,
      { details: { url, file, expectedSize: options.expectedSize, actualSize: size } },
    );
  }
  if (options.expectedSha256 !== undefined) {
    const hash = createHash('sha256');
    await hashExisting(partial, hash);
    const actual = hash.digest('hex');
    if (actual !== options.expectedSha256.toLowerCase()) {
      await rm(partial, { force: true });
      throw new RagloomError(
        'CHECKSUM_MISMATCH',
        `${file} from ${url} has sha256 ${actual}, expected ${options.expectedSha256}; the download was deleted`,
        { details: { url, file, expected: options.expectedSha256, actual } },
      );
    }
  }
  await rename(partial, destination);
}
