import { RagloomError } from '../errors/ragloom-error.js';
import type { PluginContextV1 } from '../spec/plugin-v1.js';
import type { DenseIndexManifest } from '../spec/retriever-v1.js';

/** The dense manifest a vector retriever plugin must build on, or INVALID_CONFIG saying the config lacks an encoder. */
export function requireDenseManifest(context: PluginContextV1, pluginName: string): DenseIndexManifest {
  if (!context.denseManifest) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `retriever "${context.name}" (${pluginName}) stores vectors, so the config needs an "encoder"`,
    );
  }
  return context.denseManifest;
}

/** Reads an environment variable where there is a `process` (Node, Bun, Deno's compat); undefined in a browser. */
function readEnv(name: string): string | undefined {
  return (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
}

/**
 * Secrets stay out of config files: options name the environment variable holding a key (`apiKeyEnv`,
 * default `defaultEnv`). Returns the other options with `apiKey` read from that variable (a warning is
 * logged when it is unset). Typed: the result is the options without `apiKeyEnv`, plus `apiKey`.
 */
export function withApiKeyFromEnv<O extends { readonly apiKeyEnv?: string | undefined }>(
  options: O,
  context: PluginContextV1,
  defaultEnv?: string,
): Omit<O, 'apiKeyEnv'> & { readonly apiKey?: string | undefined };
/** @deprecated for untyped options; declare them with `@ragloom/core/adapter` and get the typed overload. */
export function withApiKeyFromEnv(
  options: Readonly<Record<string, unknown>>,
  context: PluginContextV1,
  defaultEnv?: string,
): Record<string, unknown>;
export function withApiKeyFromEnv(
  options: Readonly<Record<string, unknown>>,
  context: PluginContextV1,
  defaultEnv?: string,
): Record<string, unknown> {
  const { apiKeyEnv, ...rest } = options;
  if (apiKeyEnv !== undefined && (typeof apiKeyEnv !== 'string' || apiKeyEnv === '')) {
    throw new RagloomError(
      'INVALID_CONFIG',
      `${context.name}: apiKeyEnv must name an environment variable, got ${JSON.stringify(apiKeyEnv)}`,
    );
  }
  const env = apiKeyEnv ?? defaultEnv;
  if (env === undefined) return rest;
  const value = readEnv(env);
  if (!value) context.log('warn', `${context.name}: the environment variable ${env} (apiKeyEnv) is not set`);
  return { ...rest, apiKey: value || undefined };
}
