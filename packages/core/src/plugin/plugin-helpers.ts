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

/**
 * Secrets stay out of config files: options name the environment variable holding a key (`apiKeyEnv`,
 * default `defaultEnv`). Returns the other options with `apiKey` read from that variable (a warning is
 * logged when it is unset).
 */
export function withApiKeyFromEnv(
  options: Readonly<Record<string, unknown>>,
  context: PluginContextV1,
  defaultEnv?: string,
): Record<string, unknown> {
  const { apiKeyEnv, ...rest } = options as { apiKeyEnv?: string } & Record<string, unknown>;
  const env = apiKeyEnv ?? defaultEnv;
  if (env === undefined) return rest;
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[
    env
  ];
  if (!value) context.log('warn', `${context.name}: the environment variable ${env} (apiKeyEnv) is not set`);
  return { ...rest, apiKey: value || undefined };
}
