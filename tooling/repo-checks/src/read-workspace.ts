import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative } from 'node:path';
import type { WorkspacePackage } from './dependency-rule.js';

const BUILTINS = new Set(builtinModules);

/** `import x from 'a'`, `export * from 'a'`, `import('a')`, `import 'a'` — what TypeScript sources can load. */
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm;

/** `@scope/name/sub` → `@scope/name`, `name/sub` → `name`; undefined for relative paths and Node builtins. */
export function packageOfSpecifier(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/') || specifier.startsWith('node:'))
    return undefined;
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  return BUILTINS.has(name) ? undefined : name;
}

function sourceFiles(dir: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) files.push(...sourceFiles(path));
    else if (/\.(ts|mts|tsx|js|mjs)$/.test(entry) && !entry.endsWith('.d.ts')) files.push(path);
  }
  return files;
}

/** Reads `packages/*` of the workspace at `root`: manifests and the imports of each `src/`. */
export function readWorkspacePackages(root: string): WorkspacePackage[] {
  const packagesDir = join(root, 'packages');
  return readdirSync(packagesDir)
    .filter((dir) => statSync(join(packagesDir, dir, 'package.json'), { throwIfNoEntry: false })?.isFile())
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(packagesDir, dir, 'package.json'), 'utf8')) as Record<
        string,
        Record<string, string> | string | undefined
      >;
      const deps = (field: string) =>
        Object.keys((manifest[field] as Record<string, string> | undefined) ?? {});
      const imports = new Map<string, string>();
      const src = join(packagesDir, dir, 'src');
      if (statSync(src, { throwIfNoEntry: false })?.isDirectory()) {
        for (const file of sourceFiles(src)) {
          // Examples in doc comments (`import { x } from '@ragloom/other'`) are not imports.
          const text = readFileSync(file, 'utf8')
            .replace(/\/\*[\s\S]*?\*\//g, '')
            .replace(/^\s*\/\/.*$/gm, '');
          for (const match of text.matchAll(SPECIFIER)) {
            const name = packageOfSpecifier(match[1]!);
            if (name !== undefined && !imports.has(name)) imports.set(name, relative(root, file));
          }
        }
      }
      return {
        name: String(manifest.name),
        runtimeDependencies: [
          ...deps('dependencies'),
          ...deps('peerDependencies'),
          ...deps('optionalDependencies'),
        ],
        imports,
      };
    });
}
