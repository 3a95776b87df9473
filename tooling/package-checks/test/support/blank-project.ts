import { cpSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { run, toolEnv } from './workspace.js';

/** A blank npm project, as `npm init -y` makes one, in a new folder under `parent`. */
export function blankProject(parent: string, name: string): string {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name, version: '1.0.0', private: true, type: 'module' }, null, 2)}\n`,
  );
  return dir;
}

/**
 * `npm install ./a.tgz ./b.tgz ...` the way a user runs it: our packages come from the tarballs (never
 * from the registry, where they are not published), third-party dependencies from the registry or npm's
 * cache, onnxruntime-node's CUDA download skipped.
 */
export function npmInstall(dir: string, tarballs: readonly string[], extraArgs: readonly string[] = []) {
  return run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...extraArgs, ...tarballs], {
    cwd: dir,
    env: toolEnv(),
    timeoutMs: 600_000,
  });
}

export function copyFixture(from: string, to: string): void {
  cpSync(from, to, { recursive: true });
}

/** Bytes of every file under `dir` (apparent sizes, as a tarball counts them; symlinks not followed). */
export function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += folderBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}

/** The packages installed under node_modules, by name, with their folders. */
export function installedPackages(dir: string): Map<string, string> {
  const found = new Map<string, string>();
  const walk = (modules: string) => {
    let entries: string[];
    try {
      entries = readdirSync(modules);
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.startsWith('.')) continue;
      if (entry.startsWith('@')) {
        for (const scoped of readdirSync(join(modules, entry))) visit(join(modules, entry, scoped));
      } else visit(join(modules, entry));
    }
  };
  const visit = (pkgDir: string) => {
    try {
      const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as { name: string };
      if (!found.has(name)) found.set(name, pkgDir);
    } catch {
      return;
    }
    walk(join(pkgDir, 'node_modules'));
  };
  walk(join(dir, 'node_modules'));
  return found;
}
