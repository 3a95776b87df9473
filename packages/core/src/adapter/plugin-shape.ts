import { RagloomError } from '../errors/ragloom-error.js';
import type { ComponentByKind, ComponentKind, RagloomPluginV1, StandardSchemaV1 } from '../spec/plugin-v1.js';

/** The kinds of component a plugin may provide, in the order hosts list them. */
export const COMPONENT_KINDS: readonly ComponentKind[] = ['encoder', 'retriever', 'reranker', 'generator'];

/** Whether `value` is a Standard Schema (v1): what a factory's `optionsSchema` must be. */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  if (typeof value !== 'object' || value === null) return false;
  const std = (value as { '~standard'?: { version?: unknown; validate?: unknown } })['~standard'];
  return typeof std === 'object' && std !== null && std.version === 1 && typeof std.validate === 'function';
}

/**
 * Checks that a module's `ragloomPlugin` export is a v1 plugin a host can load: an object declaring
 * `specificationVersion: 'v1'`, providing at least one kind, each with a `create` function and, if it has
 * one, a Standard Schema as `optionsSchema`. Throws PLUGIN_ERROR naming `use` (the package) and the first
 * problem. The ragloom app runs exactly this on every plugin it loads; `describePluginConformance` in
 * `@ragloom/conformance` runs it in a plugin's own tests.
 */
export function assertRagloomPlugin(value: unknown, use: string): asserts value is RagloomPluginV1 {
  if (typeof value !== 'object' || value === null) {
    throw new RagloomError('PLUGIN_ERROR', `"${use}" exports a ragloomPlugin that is not an object`);
  }
  const v = value as Record<string, unknown>;
  if (v.specificationVersion !== 'v1') {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `plugin "${use}" declares specificationVersion ${JSON.stringify(v.specificationVersion)}, ` +
        'but this ragloom supports "v1"; use a version of the plugin made for ragloom v1',
      { details: { use, specificationVersion: v.specificationVersion } },
    );
  }
  if (v.name !== undefined && (typeof v.name !== 'string' || v.name.length === 0)) {
    throw new RagloomError('PLUGIN_ERROR', `plugin "${use}": name must be a non-empty string when given`);
  }
  const kinds = COMPONENT_KINDS.filter((k) => v[k] !== undefined);
  if (kinds.length === 0) {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `plugin "${use}" provides no component (expected one of ${COMPONENT_KINDS.join(', ')})`,
    );
  }
  for (const kind of kinds) {
    const factory = v[kind] as { create?: unknown; optionsSchema?: unknown } | null;
    if (typeof factory !== 'object' || factory === null || typeof factory.create !== 'function') {
      throw new RagloomError('PLUGIN_ERROR', `plugin "${use}": ${kind}.create must be a function`);
    }
    if (factory.optionsSchema !== undefined && !isStandardSchema(factory.optionsSchema)) {
      throw new RagloomError(
        'PLUGIN_ERROR',
        `plugin "${use}": ${kind}.optionsSchema is not a Standard Schema`,
      );
    }
  }
}

/** What each kind of v1 component must have: its methods and the types of its fields. */
const COMPONENT_SHAPES: Record<ComponentKind, { methods: string[]; fields: Record<string, string> }> = {
  encoder: {
    methods: ['embed'],
    fields: {
      provider: 'string',
      modelId: 'string',
      dimension: 'number',
      normalized: 'boolean',
      maxBatchSize: 'number',
    },
  },
  retriever: {
    methods: ['upsert', 'delete', 'search', 'count'],
    fields: { provider: 'string', manifest: 'object', capabilities: 'object' },
  },
  reranker: { methods: ['rerank'], fields: { provider: 'string', modelId: 'string' } },
  generator: { methods: ['generate', 'stream'], fields: { provider: 'string', modelId: 'string' } },
};

/**
 * Checks that what a plugin's `create` built is a v1 component of the expected kind, so a wrong or
 * outdated plugin fails at startup with its name in the message (`where`) rather than deep inside a query.
 * Throws PLUGIN_ERROR with `details: { kind, problems }`.
 */
export function assertComponentShape<K extends ComponentKind>(
  kind: K,
  value: unknown,
  where: string,
): asserts value is ComponentByKind[K] {
  if (typeof value !== 'object' || value === null) {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `${where} returned ${value === null ? 'null' : typeof value}, not a ${kind}`,
    );
  }
  const v = value as Record<string, unknown>;
  if (v.specificationVersion !== 'v1') {
    throw new RagloomError(
      'PLUGIN_ERROR',
      `${where} built a ${kind} with specificationVersion ${JSON.stringify(v.specificationVersion)}; ` +
        `this ragloom supports "v1"`,
      { details: { kind, specificationVersion: v.specificationVersion } },
    );
  }
  const spec = COMPONENT_SHAPES[kind];
  const problems: string[] = [];
  for (const m of spec.methods) if (typeof v[m] !== 'function') problems.push(`method ${m}() is missing`);
  for (const [field, type] of Object.entries(spec.fields)) {
    if (typeof v[field] !== type || v[field] === null) problems.push(`${field} must be a ${type}`);
  }
  if (kind === 'retriever' && typeof v.manifest === 'object' && v.manifest !== null) {
    const kindOfIndex = (v.manifest as { kind?: unknown }).kind;
    if (kindOfIndex !== 'dense' && kindOfIndex !== 'sparse')
      problems.push('manifest.kind must be "dense" or "sparse"');
  }
  if (problems.length > 0) {
    throw new RagloomError('PLUGIN_ERROR', `${where} did not build a valid ${kind}: ${problems.join('; ')}`, {
      details: { kind, problems },
    });
  }
}
