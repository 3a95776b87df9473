import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { RagloomError } from '@ragloom/core';

export interface FoundFile {
  readonly path: string;
  /** How the file is named in the index: relative to the config folder (with /), or absolute outside it. */
  readonly source: string;
}

/** The name a file gets in the index: stable across machines when it lives under the config folder. */
export function sourceName(path: string, baseDir: string): string {
  const rel = relative(baseDir, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return path.split(sep).join('/');
  return rel.split(sep).join('/');
}

export interface WalkOptions {
  readonly baseDir: string;
  readonly extensions: readonly string[];
  readonly exclude: readonly string[];
}

/**
 * Lists the files to ingest under `paths` (files and folders, relative to the working folder): folders
 * recursively, keeping the configured extensions and skipping excluded and hidden names. A missing path
 * is an error, not an empty ingest.
 */
export async function walkFiles(paths: readonly string[], options: WalkOptions): Promise<FoundFile[]> {
  const extensions = new Set(options.extensions.map((e) => e.toLowerCase()));
  const exclude = new Set(options.exclude);
  const found = new Map<string, FoundFile>();
  const add = (path: string) => found.set(path, { path, source: sourceName(path, options.baseDir) });

  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || exclude.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) await walk(full);
      else if (
        (entry.isFile() || entry.isSymbolicLink()) &&
        extensions.has(extname(entry.name).toLowerCase())
      ) {
        add(full); // a broken link is reported by ingest as unreadable, not silently dropped
      }
    }
  }

  for (const p of paths) {
    const path = resolve(p);
    if (!existsSync(path)) {
      throw new RagloomError('NOT_FOUND', `${p} does not exist`, { details: { path } });
    }
    const info = await stat(path);
    if (info.isDirectory()) await walk(path);
    else add(path);
  }
  return [...found.values()];
}

/** Whether `source` (an index name) lies under one of the walked roots, so its absence means deletion. */
export function isUnderRoots(source: string, roots: readonly string[], baseDir: string): boolean {
  const path = isAbsolute(source) ? source : resolve(baseDir, source);
  return roots.some((root) => {
    const r = resolve(root);
    const rel = relative(r, path);
    return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  });
}
