import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The package's own subpath imports (`"imports": { "#index-file-io": { "types": "./src/…ts", "node": … } }`)
 * mapped to the source file their `types` condition names, so tests run `src/` for those modules too
 * rather than whatever `dist/` was last built (vitest, like Node, would otherwise take the `node` target).
 */
export function sourceImportAliases(packageDir = process.cwd()): Record<string, string> {
  const manifest = resolve(packageDir, 'package.json');
  if (!existsSync(manifest)) return {};
  const { imports } = JSON.parse(readFileSync(manifest, 'utf8')) as {
    imports?: Record<string, unknown>;
  };
  const aliases: Record<string, string> = {};
  for (const [specifier, target] of Object.entries(imports ?? {})) {
    const types = (target as { types?: unknown } | null)?.types;
    if (typeof types === 'string' && types.startsWith('./src/') && types.endsWith('.ts')) {
      aliases[specifier] = resolve(packageDir, types);
    }
  }
  return aliases;
}

/**
 * Defaults every package's vitest.config.ts spreads: the default reporter for people, and a JSON
 * report in test-results/ that `npm test` sums into one table (turbo restores it on cache hits).
 * `RAGLOOM_VITEST_REPORT` moves the report (the Node-version runs write `vitest-node22.json`, ...,
 * so they never overwrite the main run's).
 */
export const vitestDefaults = {
  reporters: [
    'default',
    ['json', { outputFile: process.env.RAGLOOM_VITEST_REPORT ?? 'test-results/vitest.json' }],
  ] as ['default', ['json', { outputFile: string }]],
  testTimeout: 30_000,
  hookTimeout: 60_000,
  include: ['test/**/*.test.ts'],
  alias: sourceImportAliases(),
};
