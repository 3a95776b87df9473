import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  type ComponentByKind,
  type ComponentKind,
  isRagloomError,
  type PluginContextV1,
  RagloomError,
  type RagloomPluginV1,
} from '@ragloom/core';
import { assertComponentShape, assertRagloomPlugin, COMPONENT_KINDS } from '@ragloom/core/adapter';
import { formatFieldPath } from '../config/config-file.js';
import type { PluginReference } from '../config/config-schema.js';
import { type ResolvedModule, resolvePluginModule } from './resolve-package.js';
import { validateWithStandardSchema } from './standard-schema.js';

export interface LoadedPlugin {
  readonly use: string;
  readonly plugin: RagloomPluginV1;
  readonly module: ResolvedModule;
}

export interface PluginLoadOptions {
  readonly configDir: string;
  /** Folders to resolve packages from, in order. Default: the config folder, then the app's own install. */
  readonly searchFrom?: readonly string[];
}

const APP_DIR = fileURLToPath(new URL('.', import.meta.url));

function pluginExport(namespace: Record<string, unknown>): unknown {
  if (namespace.ragloomPlugin !== undefined) return namespace.ragloomPlugin;
  const fallback = namespace.default as { specificationVersion?: unknown } | undefined;
  if (typeof fallback === 'object' && fallback !== null && 'specificationVersion' in fallback)
    return fallback;
  return undefined;
}

/** Resolves and imports the package a config names and returns its v1 plugin. */
export async function loadPlugin(use: string, options: PluginLoadOptions): Promise<LoadedPlugin> {
  const searchFrom = options.searchFrom ?? [options.configDir, APP_DIR];
  const module = resolvePluginModule(use, options.configDir, searchFrom);
  let namespace: Record<string, unknown>;
  try {
    namespace = (await import(pathToFileURL(module.entry).href)) as Record<string, unknown>;
  } catch (error) {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `cannot import plugin "${use}" (${module.entry}): ${(error as Error).message}`,
      {
        cause: error,
        details: { use, entry: module.entry },
      },
    );
  }
  const exported = pluginExport(namespace);
  if (exported !== undefined) {
    assertRagloomPlugin(exported, use); // the same check plugin authors run: describePluginConformance
    return { use, plugin: exported, module };
  }
  throw new RagloomError(
    'PLUGIN_ERROR',
    `"${use}" is not a ragloom plugin: its entry (${module.entry}) exports no \`ragloomPlugin\` ` +
      '(see the plugin convention in the ragloom README)',
    { details: { use, entry: module.entry } },
  );
}

/**
 * Builds one component from a config reference: loads the plugin, checks it provides `kind`, validates
 * `options` with the plugin's schema (problems named by their config path), calls its factory and checks
 * the result is a v1 component of that kind.
 */
export async function createComponent<K extends ComponentKind>(
  kind: K,
  reference: PluginReference,
  /** Where the reference sits in the config, e.g. `retrievers[1]`, for error messages. */
  where: string,
  context: PluginContextV1,
  options: PluginLoadOptions,
): Promise<{ component: ComponentByKind[K]; plugin: LoadedPlugin }> {
  const loaded = await loadPlugin(reference.use, options);
  const factory = loaded.plugin[kind];
  if (!factory) {
    const provided = COMPONENT_KINDS.filter((k) => loaded.plugin[k] !== undefined);
    throw new RagloomError(
      'PLUGIN_ERROR',
      `${where}: "${reference.use}" provides ${provided.join(', ')}, not a ${kind}`,
      { details: { use: reference.use, kind, provided } },
    );
  }
  let parsed: Record<string, unknown> = { ...(reference.options ?? {}) };
  if (factory.optionsSchema) {
    const result = await validateWithStandardSchema(factory.optionsSchema, parsed);
    if (!result.ok) {
      const problems = result.problems.map(
        (p) => `${where}.options${p.path.length > 0 ? `.${formatFieldPath(p.path)}` : ''}: ${p.message}`,
      );
      throw new RagloomError(
        'INVALID_CONFIG',
        `invalid options for "${reference.use}":\n  ${problems.join('\n  ')}`,
        { details: { use: reference.use, problems } },
      );
    }
    parsed = result.value as Record<string, unknown>;
  }
  let component: unknown;
  try {
    component = await factory.create(parsed, context);
  } catch (error) {
    if (isRagloomError(error)) throw error;
    throw new RagloomError(
      'PLUGIN_ERROR',
      `${where}: "${reference.use}" failed to build a ${kind}: ${(error as Error).message}`,
      {
        cause: error,
        details: { use: reference.use, kind },
      },
    );
  }
  assertComponentShape(kind, component, `${where} ("${reference.use}")`);
  return { component, plugin: loaded };
}
