import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The repository root: the nearest folder above `from` that holds pnpm-workspace.yaml. */
export function repoRoot(from: string = process.cwd()): string {
  let dir = resolve(from);
  for (;;) {
    if (existsSync(join(dir, 'pnpm-workspace.yaml'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${from}`);
    dir = parent;
  }
}

/**
 * The shared test assets (models, data sets, reference outputs). One environment variable,
 * RAGLOOM_ASSETS, with `../shared/assets` beside the repository as the default. Nothing is
 * ever downloaded at test time.
 */
export function assetsDir(): string {
  const fromEnv = process.env.RAGLOOM_ASSETS;
  const dir = fromEnv ? resolve(fromEnv) : resolve(repoRoot(), '..', 'shared', 'assets');
  if (!existsSync(dir)) {
    throw new Error(`shared test assets not found at ${dir}; set RAGLOOM_ASSETS to the assets folder`);
  }
  return dir;
}

/** A path inside the shared assets, e.g. `assetPath('models', 'bow-bert-128')`. */
export function assetPath(...parts: string[]): string {
  return join(assetsDir(), ...parts);
}
