import { existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { abortError, isAbortError, isRagloomError, RagloomError } from '@ragloom/core';
import { downloadFile, httpError } from './download-file.js';
import {
  isCommitHash,
  linkSnapshotFile,
  markNoExist,
  type RepoCachePaths,
  readCachedRef,
  repoCachePaths,
  writeCachedRef,
} from './hub-cache.js';
import { type HubOptions, resolveHubOptions } from './hub-options.js';
import { pinnedSha256 } from './weight-pins.js';

interface FileMetadata {
  readonly commit: string;
  readonly etag: string;
  readonly size: number | undefined;
  /** sha256 the hub published for an LFS file (its ETag), if any. */
  readonly lfsSha256: string | undefined;
}

const cleanEtag = (etag: string | null): string | undefined =>
  etag?.replace(/^W\//, '').replaceAll('"', '').trim() || undefined;

/** `{endpoint}/{repo}/resolve/{revision}/{path}`, each segment escaped. */
export function hubFileUrl(endpoint: string, repoId: string, revision: string, path: string): string {
  const escapedPath = path.split('/').map(encodeURIComponent).join('/');
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${escapedPath}`;
}

function offlineLookup(
  paths: RepoCachePaths,
  commit: string | undefined,
  path: string,
): { path?: string; missing?: boolean } {
  if (commit === undefined) return {};
  const snapshot = paths.snapshot(commit, path);
  if (existsSync(snapshot)) return { path: snapshot };
  if (existsSync(paths.noExist(commit, path))) return { missing: true };
  return {};
}

/**
 * Returns the local path of `path` in hub repository `repoId`, downloading it into the Hugging Face cache when it
 * is not there yet. With `optional`, a file the hub says does not exist resolves to undefined (and is remembered,
 * as huggingface_hub does, so later lookups need no request). Offline (option or `HF_HUB_OFFLINE=1`) it never
 * touches the network and names the missing file.
 */
export async function resolveHubFile(
  repoId: string,
  path: string,
  options: HubOptions & { readonly optional?: boolean } = {},
): Promise<string | undefined> {
  const hub = resolveHubOptions(options);
  const paths = repoCachePaths(hub.cacheDir, repoId);
  const cachedCommit = await readCachedRef(paths, hub.revision);
  const cached = offlineLookup(paths, cachedCommit, path);
  const missingOffline = (reason: string) =>
    new RagloomError(
      'MODEL_NOT_FOUND',
      `${path} of ${repoId}@${hub.revision} is not in the Hugging Face cache (${paths.root}) and ${reason}`,
      { details: { repoId, file: path, revision: hub.revision, cacheDir: hub.cacheDir } },
    );

  if (hub.offline) {
    if (cached.path) return cached.path;
    if (options.optional) return undefined;
    throw missingOffline(
      'offline mode is on (HF_HUB_OFFLINE=1 or `offline: true`); run once online to fetch it',
    );
  }
  // A file cached under a commit hash cannot change; skip the request entirely.
  if (isCommitHash(hub.revision) && (cached.path || cached.missing)) return cached.path;

  const url = hubFileUrl(hub.endpoint, repoId, hub.revision, path);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { 'user-agent': 'ragloom-onnx-model' };
  if (hub.token) headers.authorization = `Bearer ${hub.token}`;

  let metadata: FileMetadata;
  try {
    const meta = await fetchMetadata(fetchImpl, url, headers, hub.revision, path, options.signal);
    if (meta === 'not-found') {
      if (!options.optional) throw httpError(url, 404, path);
      return undefined;
    }
    if ('noExistCommit' in meta) {
      if (meta.noExistCommit) {
        await markNoExist(paths, meta.noExistCommit, path);
        await writeCachedRef(paths, hub.revision, meta.noExistCommit);
      }
      if (!options.optional) throw httpError(url, 404, path);
      return undefined;
    }
    metadata = meta;
  } catch (error) {
    if (isAbortError(error) || options.signal?.aborted)
      throw abortError(options.signal, `download of ${path}`);
    // Like huggingface_hub: when the hub cannot be reached, a cached copy is good enough.
    const unreachable = !isRagloomError(error) || (error.retryable && error.details.status !== undefined);
    if (unreachable && cached.path) return cached.path;
    if (unreachable && cached.missing && options.optional) return undefined;
    if (isRagloomError(error)) throw error;
    throw new RagloomError(
      'DOWNLOAD_FAILED',
      `cannot reach ${url} to fetch ${path} of ${repoId}: ${(error as Error).message}`,
      { cause: error, details: { url, file: path, repoId }, retryable: true },
    );
  }

  const snapshot = paths.snapshot(metadata.commit, path);
  await writeCachedRef(paths, hub.revision, metadata.commit);
  const blob = paths.blob(metadata.etag);
  if (existsSync(snapshot)) {
    // A cached file whose size differs from the hub's (damaged or cut by hand) is fetched again.
    if (metadata.size === undefined || statSync(snapshot).size === metadata.size) return snapshot;
    await rm(snapshot, { force: true });
    await rm(blob, { force: true });
  }
  if (!existsSync(blob)) {
    const expectedSha256 = options.checksums?.[path] ?? pinnedSha256(repoId, path) ?? metadata.lfsSha256;
    await downloadFile({
      url,
      destination: blob,
      file: path,
      headers,
      ...(metadata.size !== undefined ? { expectedSize: metadata.size } : {}),
      ...(expectedSha256 !== undefined ? { expectedSha256 } : {}),
      maxRetries: hub.maxRetries,
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      fetch: fetchImpl,
    });
  }
  return linkSnapshotFile(paths, metadata.commit, path, metadata.etag, hub.symlinks);
}

/**
 * A HEAD request without following cross-host redirects: LFS files redirect to a CDN, and the headers we need
 * (commit, sha256 ETag, size) are on the hub's own response. Same-host (relative) redirects are followed — that
 * is how renamed repositories answer.
 */
async function fetchMetadata(
  fetchImpl: typeof fetch,
  url: string,
  headers: Record<string, string>,
  revision: string,
  path: string,
  signal: AbortSignal | undefined,
): Promise<FileMetadata | 'not-found' | { noExistCommit: string | undefined }> {
  let current = url;
  for (let hop = 0; hop < 5; hop++) {
    const response = await fetchImpl(current, {
      method: 'HEAD',
      headers: { ...headers, 'accept-encoding': 'identity' },
      redirect: 'manual',
      ...(signal ? { signal } : {}),
    });
    const commit = response.headers.get('x-repo-commit') ?? undefined;
    if (response.status >= 300 && response.status < 400) {
      const location = response.headers.get('location');
      if (location && !/^[a-z][a-z0-9+.-]*:/i.test(location) && !response.headers.get('x-linked-etag')) {
        current = new URL(location, current).toString();
        continue;
      }
    } else if (response.status === 404) {
      const code = response.headers.get('x-error-code');
      // EntryNotFound: the repository exists, the file does not. Anything else (RepoNotFound, plain 404) is
      // not worth remembering.
      return code === 'EntryNotFound' || commit ? { noExistCommit: commit } : 'not-found';
    } else if (response.status < 200 || response.status >= 300) {
      throw httpError(current, response.status, path);
    }
    const linkedEtag = cleanEtag(response.headers.get('x-linked-etag'));
    const etag = linkedEtag ?? cleanEtag(response.headers.get('etag'));
    const sizeHeader = response.headers.get('x-linked-size') ?? response.headers.get('content-length');
    const resolvedCommit = commit ?? (isCommitHash(revision) ? revision : undefined);
    if (!resolvedCommit || !etag) {
      throw new RagloomError(
        'DOWNLOAD_FAILED',
        `${current} answered without ${!resolvedCommit ? 'X-Repo-Commit' : 'an ETag'}; is HF_ENDPOINT a Hugging Face hub (or mirror)?`,
        { details: { url: current, file: path } },
      );
    }
    return {
      commit: resolvedCommit,
      etag,
      size: sizeHeader !== null && /^\d+$/.test(sizeHeader) ? Number(sizeHeader) : undefined,
      lfsSha256: etag && /^[0-9a-f]{64}$/.test(etag) ? etag : undefined,
    };
  }
  throw new RagloomError('DOWNLOAD_FAILED', `too many redirects from ${url}`, {
    details: { url, file: path },
  });
}
