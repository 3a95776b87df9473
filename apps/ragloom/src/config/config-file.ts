import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { RagloomError } from '@ragloom/core';
import {
  findNodeAtLocation,
  getNodeValue,
  type Node as JsonNode,
  type ParseError,
  parseTree,
  printParseErrorCode,
} from 'jsonc-parser';
import type { z } from 'zod';
import { type RagloomConfig, ragloomConfigSchema } from './config-schema.js';
import { assertConfigFileTrusted, assertPluginPathsTrusted } from './config-trust.js';

/** Config file names looked for, in this order, in the working folder and then its parents. */
export const CONFIG_FILE_NAMES = [
  'ragloom.config.json',
  'ragloom.config.jsonc',
  'ragloom.config.mjs',
  'ragloom.config.js',
  'ragloom.config.ts',
] as const;

/** A validated config and where it came from; every path in it is resolved against the config's folder. */
export interface LoadedConfig {
  readonly config: RagloomConfig;
  /** Absolute path of the config file. */
  readonly path: string;
  /** The folder holding it: relative paths in the config are relative to this. */
  readonly dir: string;
  /** Absolute data folder (indexes, ingest state). */
  readonly dataDir: string;
  /** Absolute model folder from RAGLOOM_MODELS or `models.path`, if any. */
  readonly modelsPath: string | undefined;
}

export interface FindConfigOptions {
  /** An explicit config file (the --config flag); otherwise RAGLOOM_CONFIG, then a search upwards from `cwd`. */
  readonly path?: string;
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * Whether code that came with the config may run: a module config file (.mjs/.js/.ts) and plugins named
   * by module path. Default true for code that calls this itself; the CLI passes the user's
   * `--trust-config` / RAGLOOM_TRUST_CONFIG, so a config found in a cloned repository runs nothing.
   */
  readonly trustCode?: boolean;
}

/** Finds the config file the CLI would use, or throws INVALID_CONFIG saying where it looked. */
export function findConfigFile(options: FindConfigOptions = {}): string {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env = options.env ?? process.env;
  const explicit = options.path ?? env.RAGLOOM_CONFIG;
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) {
      throw new RagloomError('INVALID_CONFIG', `config file ${path} does not exist`, { details: { path } });
    }
    return path;
  }
  for (let dir = cwd; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILE_NAMES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) break;
  }
  throw new RagloomError(
    'INVALID_CONFIG',
    `no ragloom config (${CONFIG_FILE_NAMES[0]}) in ${cwd} or any folder above it; ` +
      'run `ragloom init` to write one, or pass --config <file>',
    { details: { cwd } },
  );
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** `retrievers[1].options.path` from a zod issue path. */
export function formatFieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

/** One line per problem: `file:line:col field.path: message`. */
export function formatSchemaIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  tree?: JsonNode,
  text?: string,
): string[] {
  return issues.map((issue) => {
    let where = file;
    if (tree && text !== undefined) {
      // The deepest node that exists on the issue's path (a missing key points at its parent object).
      const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
      for (let n = path.length; n >= 0; n--) {
        const node = findNodeAtLocation(tree, path.slice(0, n));
        if (node) {
          const { line, column } = lineColumn(text, node.offset);
          where = `${file}:${line}:${column}`;
          break;
        }
      }
    }
    return `${where} ${formatFieldPath(issue.path)}: ${issue.message}`;
  });
}

async function readRawConfig(path: string): Promise<{ raw: unknown; tree?: JsonNode; text?: string }> {
  const ext = extname(path);
  if (ext === '.json' || ext === '.jsonc') {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      throw new RagloomError(
        'INVALID_CONFIG',
        `cannot read config file ${path}: ${(error as Error).message}`,
        {
          cause: error,
          details: { path },
        },
      );
    }
    const errors: ParseError[] = [];
    const tree = parseTree(text, errors, { allowTrailingComma: true, disallowComments: false });
    if (errors.length > 0 || tree === undefined) {
      const problems = errors.map((e) => {
        const { line, column } = lineColumn(text, e.offset);
        return `${path}:${line}:${column} ${printParseErrorCode(e.error)}`;
      });
      throw new RagloomError(
        'INVALID_CONFIG',
        `config file ${path} is not valid JSON (comments and trailing commas are allowed):\n  ${problems.join('\n  ')}`,
        { details: { path, problems } },
      );
    }
    return { raw: getNodeValue(tree), tree, text };
  }
  try {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    return { raw: module.default };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const hint =
      code === 'ERR_UNKNOWN_FILE_EXTENSION'
        ? ' (this Node version cannot load TypeScript files directly; use ragloom.config.json or .mjs)'
        : '';
    throw new RagloomError(
      'INVALID_CONFIG',
      `cannot load config module ${path}${hint}: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}

/** Validates a config object (from a file or from code) and names every wrong field. */
export function parseConfig(raw: unknown, where = 'config', tree?: JsonNode, text?: string): RagloomConfig {
  const result = ragloomConfigSchema.safeParse(raw);
  if (result.success) return result.data;
  const problems = formatSchemaIssues(result.error.issues, where, tree, text);
  throw new RagloomError('INVALID_CONFIG', `invalid config:\n  ${problems.join('\n  ')}`, {
    details: { path: where, problems },
  });
}

/** Resolves the folder settings of a validated config against its folder and the environment. */
export function resolveConfigPaths(
  config: RagloomConfig,
  path: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LoadedConfig {
  const dir = dirname(path);
  const fromEnv = env.RAGLOOM_MODELS?.trim();
  const modelsSetting = fromEnv ? resolve(fromEnv) : config.models.path;
  return {
    config,
    path,
    dir,
    dataDir: isAbsolute(config.dataDir) ? config.dataDir : resolve(dir, config.dataDir),
    modelsPath: modelsSetting === undefined ? undefined : resolve(dir, modelsSetting),
  };
}

/** Finds, reads and validates the config: the first step of every CLI command. */
export async function loadConfig(options: FindConfigOptions = {}): Promise<LoadedConfig> {
  const path = findConfigFile(options);
  const trusted = options.trustCode ?? true;
  assertConfigFileTrusted(path, trusted);
  const { raw, tree, text } = await readRawConfig(path);
  const config = parseConfig(raw, path, tree, text);
  assertPluginPathsTrusted(config, path, dirname(path), trusted);
  return resolveConfigPaths(config, path, options.env);
}
