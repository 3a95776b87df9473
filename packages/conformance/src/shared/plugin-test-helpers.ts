import type { ComponentKind, PluginContextV1, StandardSchemaV1 } from '@ragloom/core';

/**
 * The context a host (the ragloom app) passes to a plugin factory, as plain data, for testing a
 * `ragloomPlugin` without the app: offline hub, models resolved as given, logs dropped unless `log` is set.
 */
export function pluginTestContext(
  kind: ComponentKind,
  storageDir: string,
  overrides: Partial<PluginContextV1> = {},
): PluginContextV1 {
  return {
    kind,
    name: kind,
    configDir: storageDir,
    storageDir,
    resolveModel: (ref) => ref,
    hub: { offline: true },
    log: () => {},
    ...overrides,
  };
}

/** The field paths (`'a.b'`, `''` for the object itself) a Standard Schema reports for `value`; [] when valid. */
export async function optionIssuePaths(
  schema: StandardSchemaV1 | undefined,
  value: unknown,
): Promise<string[]> {
  if (!schema) throw new Error('the factory has no optionsSchema');
  const result = await schema['~standard'].validate(value);
  return (result.issues ?? []).map((issue) =>
    (issue.path ?? []).map((p) => String(typeof p === 'object' && p !== null ? p.key : p)).join('.'),
  );
}
