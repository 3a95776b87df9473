import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { readCachedRef, repoCachePaths } from './hub-cache.js';
import { type HubOptions, resolveHubOptions } from './hub-options.js';
import type { FolderListing } from './onnx-file.js';

/** Files directly in `folder` of a directory tree on disk, as paths inside the model. */
export async function listLocalFolder(root: string, folder: string): Promise<FolderListing> {
  try {
    const entries = await readdir(join(root, ...folder.split('/').filter(Boolean)), { withFileTypes: true });
    const files = entries
      .filter((e) => e.isFile() || e.isSymbolicLink())
      .map((e) => (folder === '' ? e.name : posix.join(folder, e.name)))
      .sort();
    return { files, from: 'folder' };
  } catch {
    return { files: [], from: 'folder' };
  }
}

interface TreeEntry {
  readonly type?: unknown;
  readonly path?: unknown;
}

const MAX_PAGES = 10;

/**
 * The files directly in `folder` of a hub repository: the hub's file tree (`GET /api/models/{repo}/tree/
 * {revision}/{folder}`, as huggingface_hub's `list_repo_tree`, following `Link: rel="next"` pages); offline,
 * or when the hub cannot be asked, what the cache holds for the revision. Undefined when neither is known.
 * Only used to say what a model has when a file is missing, and by `ragloom doctor`; loading never needs it.
 */
export async function listHubFolder(
  repoId: string,
  folder: string,
  options: HubOptions = {},
): Promise<FolderListing | undefined> {
  const hub = resolveHubOptions(options);
  const fromCache = async (): Promise<FolderListing | undefined> => {
    const paths = repoCachePaths(hub.cacheDir, repoId);
    const commit = await readCachedRef(paths, hub.revision);
    if (commit === undefined) return undefined;
    const listing = await listLocalFolder(paths.snapshot(commit, ''), folder);
    return { files: listing.files, from: 'cache' };
  };
  if (hub.offline) return fromCache();
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const headers: Record<string, string> = { 'user-agent': 'ragloom-onnx-model', accept: 'application/json' };
  if (hub.token) headers.authorization = `Bearer ${hub.token}`;
  const escapedFolder = folder.split('/').filter(Boolean).map(encodeURIComponent).join('/');
  let url: string | undefined =
    `${hub.endpoint}/api/models/${repoId}/tree/${encodeURIComponent(hub.revision)}` +
    (escapedFolder ? `/${escapedFolder}` : '');
  const files: string[] = [];
  try {
    for (let page = 0; url !== undefined && page < MAX_PAGES; page++) {
      const response: Response = await fetchImpl(url, {
        headers,
        ...(options.signal ? { signal: options.signal } : {}),
      });
      if (!response.ok) return await fromCache();
      const entries = (await response.json()) as unknown;
      if (!Array.isArray(entries)) return await fromCache();
      for (const entry of entries as TreeEntry[]) {
        if (entry.type === 'file' && typeof entry.path === 'string') files.push(entry.path);
      }
      const next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '');
      url = next ? new URL(next[1]!, url).toString() : undefined;
    }
  } catch {
    return fromCache();
  }
  return { files: files.sort(), from: 'hub' };
}
