import type { ComponentByKind, ComponentKind } from '@ragloom/core';
import { RagloomError } from '@ragloom/core';

const REQUIRED: Record<ComponentKind, { methods: string[]; fields: Record<string, string> }> = {
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
 * Checks that what a plugin built is a v1 component of the expected kind, so a wrong or outdated plugin
 * fails at startup with its name in the message rather than deep inside a query.
 */
export function assertComponent<K extends ComponentKind>(
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
  const spec = REQUIRED[kind];
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
