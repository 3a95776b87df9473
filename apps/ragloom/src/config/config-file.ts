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
import { z } from 'zod';
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

/** The keys an object schema at `path` accepts (through defaults, optionals and arrays), if it is one. */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] | undefined {
  let node: z.ZodType = schema;
  const unwrap = () => {
    for (;;) {
      // Defaults, prefaults, optionals, nullables and readonly wrap their schema as `innerType`.
      const def = node.def as { innerType?: z.ZodType; in?: z.ZodType };
      if (def.innerType) node = def.innerType;
      else if (node instanceof z.ZodPipe && def.in) node = def.in;
      else return;
    }
  };
  for (const part of path) {
    unwrap();
    if (typeof part === 'number' && node instanceof z.ZodArray) node = node.element as z.ZodType;
    else if (typeof part === 'string' && node instanceof z.ZodObject) {
      const next = (node.shape as Record<string, z.ZodType>)[part];
      if (!next) return undefined;
      node = next;
    } else return undefined;
  }
  unwrap();
  return node instanceof z.ZodObject ? Object.keys(node.shape) : undefined;
}

/** The closest valid key to a mistyped one (edit distance ≤ 2), for "did you mean". */
function closestKey(key: string, valid: readonly string[]): string | undefined {
  const distance = (a: string, b: string) => {
    const row = Array.from({ length: b.length + 1 }, (_, j) => j);
    for (let i = 1; i <= a.length; i++) {
      let diagonal = row[0]!;
      row[0] = i;
      for (let j = 1; j <= b.length; j++) {
        const above = row[j]!;
        row[j] = Math.min(above + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
        diagonal = above;
      }
    }
    return row[b.length]!;
  };
  let best: { key: string; d: number } | undefined;
  for (const v of valid) {
    const d = distance(key.toLowerCase(), v.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { key: v, d };
  }
  return best?.key;
}

/**
 * One line per problem: `file:line:col field.path: message`. An unknown key is named at its own line, with
 * the keys that are valid there (and the closest one).
 */
export function formatSchemaIssues(
  issues: readonly z.core.$ZodIssue[],
  file: string,
  tree?: JsonNode,
  text?: string,
  schema: z.ZodType = ragloomConfigSchema,
): string[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((p): p is string | number => typeof p !== 'symbol');
    const locate = (at: readonly (string | number)[]) => {
      if (!tree || text === undefined) return file;
      // The deepest node that exists on the path (a missing key points at its parent object).
      for (let n = at.length; n >= 0; n--) {
        const node = findNodeAtLocation(tree, at.slice(0, n));
        if (node) {
          // A value's key starts the line a user looks for.
          const offset = node.parent?.type === 'property' ? node.parent.offset : node.offset;
          const { line, column } = lineColumn(text, offset);
          return `${file}:${line}:${column}`;
        }
      }
      return file;
    };
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAt(schema, path) ?? [];
      return issue.keys.map((key) => {
        const guess = closestKey(key, valid);
        const hint = valid.length > 0 ? `; valid keys here: ${valid.join(', ')}` : '';
        return `${locate([...path, key])} ${formatFieldPath([...path, key])}: unknown key${guess ? ` (did you mean "${guess}"?)` : ''}${hint}`;
      });
    }
    return [`${locate(path)} ${formatFieldPath(issue.path)}: ${issue.message}`];
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
