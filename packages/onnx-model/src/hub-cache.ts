import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, symlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
// Core's fsync'd write: a ref or marker survives a crash whole, as every other file ragloom writes.
import { writeFileAtomic } from '@ragloom/core/node';

/**
 * The Hugging Face hub cache layout (shared with huggingface_hub, transformers and transformers.js' Node cache):
 *
 *   <cacheDir>/models--org--name/blobs/<etag>                    file contents, named by ETag (sha256 for LFS files)
 *   <cacheDir>/models--org--name/snapshots/<commit>/<path>       symlink into blobs/ (or the file itself)
 *   <cacheDir>/models--org--name/refs/<revision>                 the commit a branch or tag pointed at
 *   <cacheDir>/models--org--name/.no_exist/<commit>/<path>       marker: the file does not exist at that commit
 */
export interface RepoCachePaths {
  readonly root: string;
  readonly blobs: string;
  blob(etag: string): string;
  snapshot(commit: string, path: string): string;
  noExist(commit: string, path: string): string;
  ref(revision: string): string;
}

export function repoCachePaths(cacheDir: string, repoId: string): RepoCachePaths {
  const root = join(cacheDir, `models--${repoId.replaceAll('/', '--')}`);
  return {
    root,
    blobs: join(root, 'blobs'),
    blob: (etag) => join(root, 'blobs', etag),
    snapshot: (commit, path) => join(root, 'snapshots', commit, ...path.split('/')),
    noExist: (commit, path) => join(root, '.no_exist', commit, ...path.split('/')),
    ref: (revision) => join(root, 'refs', ...revision.split('/')),
  };
}

export const isCommitHash = (revision: string): boolean => /^[0-9a-f]{40}$/.test(revision);

/** The commit a revision points at in the cache, if known. */
export async function readCachedRef(paths: RepoCachePaths, revision: string): Promise<string | undefined> {
  if (isCommitHash(revision)) return revision;
  try {
    const commit = (await readFile(paths.ref(revision), 'utf8')).trim();
    return isCommitHash(commit) ? commit : undefined;
  } catch {
    return undefined;
  }
}

export async function writeCachedRef(paths: RepoCachePaths, revision: string, commit: string): Promise<void> {
  if (revision === commit) return;
  await writeFileAtomic(paths.ref(revision), commit);
}

export async function markNoExist(paths: RepoCachePaths, commit: string, path: string): Promise<void> {
  await writeFileAtomic(paths.noExist(commit, path), '');
}

/**
 * Puts a finished blob into the snapshot: a relative symlink as the hub does, or — where symlinks are off or not
 * permitted (Windows without developer mode, some network file systems) — the blob moved into the snapshot itself.
 */
export async function linkSnapshotFile(
  paths: RepoCachePaths,
  commit: string,
  path: string,
  etag: string,
  useSymlinks: boolean,
): Promise<string> {
  const target = paths.snapshot(commit, path);
  const blob = paths.blob(etag);
  await mkdir(dirname(target), { recursive: true });
  await rm(target, { force: true });
  if (useSymlinks) {
    try {
      await symlink(relative(dirname(target), blob), target);
      return target;
    } catch {
      // fall through to the symlink-free layout
    }
  }
  if (existsSync(blob)) await rename(blob, target);
  return target;
}
