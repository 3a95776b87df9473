import { extname, isAbsolute, resolve } from 'node:path';
import { RagloomError } from '@ragloom/core';
import type { RagloomConfig } from './config-schema.js';

/** The user's own switch (never a config field): `RAGLOOM_TRUST_CONFIG=1`, or the CLI's `--trust-config`. */
export const TRUST_CONFIG_ENV = 'RAGLOOM_TRUST_CONFIG';

/** Whether the user said the config's code may run, by flag or by their environment. */
export function userTrustsConfig(
  flag: boolean | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
): boolean {
  return flag === true || /^(1|true|yes)$/i.test(env[TRUST_CONFIG_ENV] ?? '');
}

/** A `use` naming a file or folder rather than an npm package: code that came with the config, not installed. */
export function isModulePath(use: string): boolean {
  return use.startsWith('.') || isAbsolute(use);
}

/** A config file that is a module (.mjs, .js, .ts): reading it runs it. */
export function isCodeConfigFile(path: string): boolean {
  const ext = extname(path);
  return ext !== '.json' && ext !== '.jsonc';
}

/** What in a config runs code that was not installed as a package: `[where, absolute path]` pairs. */
export function modulePathsOf(config: RagloomConfig, configDir: string): [string, string][] {
  const references = [
    ['encoder', config.encoder],
    ...config.retrievers.map((r, i) => [`retrievers[${i}]`, r] as const),
    ['reranker', config.reranker],
    ['generator', config.generator],
  ] as const;
  const found: [string, string][] = [];
  for (const [where, reference] of references) {
    if (reference && isModulePath(reference.use)) found.push([where, resolve(configDir, reference.use)]);
  }
  return found;
}

const HOW_TO_TRUST = `if you trust it, run with --trust-config or set ${TRUST_CONFIG_ENV}=1 (\`ragloom doctor\` lists what would run)`;

/** Refuses to import a module config file the user has not trusted: a cloned repository's config is its code. */
export function assertConfigFileTrusted(path: string, trusted: boolean): void {
  if (trusted || !isCodeConfigFile(path)) return;
  throw new RagloomError(
    'INVALID_CONFIG',
    `config ${path} is a module: loading it would run its code. Use ragloom.config.json, or, ${HOW_TO_TRUST}`,
    { details: { path, untrusted: [path] } },
  );
}

/** Refuses plugins loaded from module paths (files beside the config) unless the user trusts the config. */
export function assertPluginPathsTrusted(
  config: RagloomConfig,
  path: string,
  configDir: string,
  trusted: boolean,
) {
  const paths = modulePathsOf(config, configDir);
  if (trusted || paths.length === 0) return;
  throw new RagloomError(
    'INVALID_CONFIG',
    `config ${path} loads plugins from module paths, which runs their code: ` +
      `${paths.map(([where, file]) => `${where} → ${file}`).join(', ')}. ` +
      `Plugins installed as npm packages need no trust; ${HOW_TO_TRUST}`,
    { details: { path, untrusted: paths.map(([, file]) => file) } },
  );
}
