import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { publishedPackages, REPO_ROOT, run, tarballName } from './workspace.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Package name → the tarball `pnpm pack` made of it (what `pnpm publish` would upload). */
    tarballs: Record<string, string>;
    /** A scratch folder for this run, removed afterwards. */
    scratch: string;
  }
}

/** Packs every published package once, as `pnpm publish` would, for all the test files of this run. */
export default function setup(project: TestProject): () => void {
  const scratch = mkdtempSync(join(tmpdir(), 'ragloom-package-checks-'));
  const out = join(scratch, 'tarballs');
  mkdirSync(out);
  const packages = publishedPackages();
  const filters = packages.flatMap((p) => ['--filter', p.name]);
  const started = Date.now();
  run('pnpm', ['-r', ...filters, 'pack', '--pack-destination', out], { cwd: REPO_ROOT });
  const made = new Set(readdirSync(out));
  const tarballs: Record<string, string> = {};
  for (const p of packages) {
    const file = tarballName(p.name, p.version);
    if (!made.has(file)) throw new Error(`pnpm pack made no ${file} (made: ${[...made].join(', ')})`);
    tarballs[p.name] = join(out, file);
  }
  console.log(`packed ${packages.length} packages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  project.provide('tarballs', tarballs);
  project.provide('scratch', scratch);
  return () => rmSync(scratch, { recursive: true, force: true });
}
