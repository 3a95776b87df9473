import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';

export interface ResolvedModule {
  /** Absolute path of the module file to import. */
  readonly entry: string;
  /** The package folder (undefined for a plain module path). */
  readonly packageDir?: string;
  readonly packageName?: string;
  readonly version?: string;
}

const CONDITIONS = ['node', 'import', 'default'] as const;

type ExportsValue = string | null | ExportsValue[] | { readonly [key: string]: ExportsValue };

/** Picks the target of the "." export for an ESM import under Node (conditions node, import, default). */
function exportTarget(value: ExportsValue | undefined): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) {
    for (const v of value) {
      const t = exportTarget(v);
      if (t) return t;
    }
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.some((k) => k.startsWith('.'))) return exportTarget(value['.']);
  for (const key of keys) {
    if ((CONDITIONS as readonly string[]).includes(key)) {
      const t = exportTarget(value[key]);
      if (t) return t;
    }
  }
  return undefined;
}

function entryOfPackage(packageDir: string): ResolvedModule {
  const manifestPath = join(packageDir, 'package.json');
  let manifest: { name?: string; version?: string; exports?: ExportsValue; main?: string; module?: string };
  try {
    manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new RagloomError('PLUGIN_ERROR', `cannot read ${manifestPath}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const target = exportTarget(manifest.exports) ?? manifest.module ?? manifest.main ?? 'index.js';
  const entry = resolve(packageDir, target);
  if (!existsSync(entry)) {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `package ${manifest.name ?? packageDir} points at ${entry}, which does not exist (is it built?)`,
      { details: { packageDir, entry } },
    );
  }
  return { entry, packageDir, packageName: manifest.name, version: manifest.version };
}

/** The folder of `name` in the nearest node_modules at or above `from`, like Node's resolution. */
export function findPackageDir(name: string, from: string): string | undefined {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...name.split('/'));
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

const PACKAGE_NAME = /^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i;

/**
 * Resolves what a config's `use` names: a package found from each of `searchFrom` in turn (the config's
 * folder first, then the app's own install), or a module path relative to `configDir`.
 */
export function resolvePluginModule(
  use: string,
  configDir: string,
  searchFrom: readonly string[],
): ResolvedModule {
  if (use.startsWith('.') || isAbsolute(use)) {
    const path = resolve(configDir, use);
    if (!existsSync(path)) {
      throw new RagloomError('PLUGIN_ERROR', `plugin module ${path} does not exist`, {
        details: { use, path },
      });
    }
    return statSync(path).isDirectory() ? entryOfPackage(path) : { entry: path };
  }
  if (!PACKAGE_NAME.test(use)) {
    throw new RagloomError('PLUGIN_ERROR', `"${use}" is neither a package name nor a path`, {
      details: { use },
    });
  }
  for (const base of searchFrom) {
    const dir = findPackageDir(use, base);
    if (dir) return entryOfPackage(dir);
  }
  throw new RagloomError(
    'PLUGIN_ERROR',
    `cannot find the plugin package "${use}" (looked in node_modules from ${searchFrom.join(' and ')}); ` +
      `install it next to your config: npm install ${use}`,
    { details: { use, searchFrom } },
  );
}
