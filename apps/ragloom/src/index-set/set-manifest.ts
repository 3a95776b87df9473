import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { RagloomError } from '@ragloom/core';
import { z } from 'zod';
import { createExclusive } from './writer-lock.js';

/**
 * The layout of an index set under the data dir:
 *
 *   writer.lock                         the one-writer lock (see writer-lock.ts)
 *   index-set/manifest-<generation>.json   one per committed generation; the newest is the set
 *   index-set/g<generation>-<rand>/     what that generation wrote: ingest-state.json, <member>/<files>
 *   work/<lockId>-<n>/<member>/         the writer's private working copies
 *
 * A manifest is created with O_EXCL semantics, so committing generation N+1 succeeds for one writer only:
 * a writer holding a stale picture of the set can never replace a newer one.
 */
export const SET_DIR = 'index-set';
export const WORK_DIR = 'work';
export const STATE_FILE_NAME = 'ingest-state.json';

const MANIFEST_PATTERN = /^manifest-(\d{12})\.json$/;
const GENERATION_DIR_PATTERN = /^g(\d{12})-[0-9a-f]+$/;

const memberFileSchema = z.object({
  name: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const indexManifestSchema = z.union([
  z.object({
    kind: z.literal('dense'),
    encoderModelId: z.string(),
    dimension: z.number().int().positive(),
    metric: z.enum(['cosine', 'dot', 'l2']),
  }),
  z.object({ kind: z.literal('sparse'), analyzer: z.string() }),
]);

const memberEntrySchema = z.object({
  use: z.string(),
  /** Records the member held when this generation was committed. */
  count: z.number().int().nonnegative(),
  manifest: indexManifestSchema,
  /**
   * `files`: the member keeps its data in its storage folder, versioned here. `external`: it keeps nothing
   * there (a remote service such as Qdrant), so only its count is recorded and it changes in place.
   */
  storage: z.enum(['files', 'external']),
  /** For `files`: the folder (relative to index-set/) holding this generation's copy, and its files. */
  dir: z.string().optional(),
  files: z.array(memberFileSchema).default([]),
});

export const setManifestSchema = z.object({
  format: z.literal('ragloom-index-set'),
  version: z.literal(1),
  /** Random, fixed when the set is created: every generation and its ingest state carry it. */
  setId: z.string().min(1),
  generation: z.number().int().positive(),
  createdAt: z.string(),
  writer: z.object({ command: z.string(), pid: z.number().int(), hostname: z.string() }),
  /** Fingerprint of the settings that shaped the set (chunker, encoder, retrievers). */
  settings: z.string(),
  state: memberFileSchema.extend({ path: z.string().min(1) }),
  members: z.record(z.string(), memberEntrySchema),
});

export type SetManifest = z.infer<typeof setManifestSchema>;
export type MemberEntry = z.infer<typeof memberEntrySchema>;

const pad = (generation: number) => String(generation).padStart(12, '0');
export const manifestName = (generation: number) => `manifest-${pad(generation)}.json`;
export const generationDirName = (generation: number, suffix: string) => `g${pad(generation)}-${suffix}`;
export const setPath = (dataDir: string, ...parts: string[]) => join(dataDir, SET_DIR, ...parts);

/** Committed generations, oldest first. */
export async function listGenerations(dataDir: string): Promise<number[]> {
  let names: string[];
  try {
    names = await readdir(setPath(dataDir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return names
    .map((n) => MANIFEST_PATTERN.exec(n)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

export async function newestGeneration(dataDir: string): Promise<number> {
  const generations = await listGenerations(dataDir);
  return generations.at(-1) ?? 0;
}

export async function readManifest(dataDir: string, generation: number): Promise<SetManifest | undefined> {
  const path = setPath(dataDir, manifestName(generation));
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined; // removed by a newer commit
    throw new RagloomError('IO_ERROR', `cannot read ${path}: ${(error as Error).message}`, { cause: error });
  }
  let parsed: ReturnType<typeof setManifestSchema.safeParse>;
  try {
    parsed = setManifestSchema.safeParse(JSON.parse(text));
  } catch (cause) {
    throw new RagloomError('INDEX_CORRUPT', `the index set manifest ${path} is not JSON`, {
      cause,
      details: { path },
    });
  }
  if (!parsed.success || parsed.data.generation !== generation) {
    throw new RagloomError(
      'INDEX_CORRUPT',
      `the index set manifest ${path} is damaged (${parsed.error?.issues[0]?.message ?? 'wrong generation'})`,
      { details: { path } },
    );
  }
  return parsed.data;
}

/** The newest committed manifest, or undefined for a data dir without one. */
export async function readNewestManifest(dataDir: string): Promise<SetManifest | undefined> {
  // A commit may remove old generations while we look: retry with the new newest.
  for (let attempt = 0; attempt < 5; attempt++) {
    const newest = (await listGenerations(dataDir)).at(-1);
    if (newest === undefined) return undefined;
    const manifest = await readManifest(dataDir, newest);
    if (manifest) return manifest;
  }
  throw new RagloomError('IO_ERROR', `the index set in ${dataDir} keeps changing while it is read`);
}

/** Publishes a generation: true when this call created it, false when that generation already exists. */
export async function createManifest(dataDir: string, manifest: SetManifest): Promise<boolean> {
  return createExclusive(
    setPath(dataDir, manifestName(manifest.generation)),
    `${JSON.stringify(manifest, null, 1)}\n`,
  );
}

/** Folders (relative to index-set/) that a manifest points into. */
function referencedDirs(manifest: SetManifest): Set<string> {
  const dirs = new Set<string>([manifest.state.path.split('/')[0]!]);
  for (const member of Object.values(manifest.members)) if (member.dir) dirs.add(member.dir.split('/')[0]!);
  return dirs;
}

/**
 * After a commit: removes manifests older than the previous generation, and every generation folder that
 * neither of the two newest manifests uses (a reader still opening the previous generation finds its
 * files). Folders of generations newer than `keep[0]` are left alone: they are not ours to judge.
 */
export async function removeOldGenerations(dataDir: string, keep: readonly SetManifest[]): Promise<void> {
  const newest = Math.max(...keep.map((m) => m.generation));
  const oldest = Math.min(...keep.map((m) => m.generation));
  const used = new Set(keep.flatMap((m) => [...referencedDirs(m)]));
  for (const name of await readdir(setPath(dataDir)).catch(() => [] as string[])) {
    const manifest = MANIFEST_PATTERN.exec(name);
    if (manifest && Number(manifest[1]) < oldest) {
      await rm(setPath(dataDir, name), { force: true });
      continue;
    }
    const dir = GENERATION_DIR_PATTERN.exec(name);
    if (dir && Number(dir[1]) <= newest && !used.has(name))
      await rm(setPath(dataDir, name), { recursive: true, force: true });
    // A manifest's temporary file left by a writer killed before its link (never part of the set).
    if (name.startsWith('.manifest-') && name.endsWith('.tmp')) {
      const info = await stat(setPath(dataDir, name)).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > 60_000) await rm(setPath(dataDir, name), { force: true });
    }
  }
}
