import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComponentKind, PluginContextV1, RagloomPluginV1 } from '@ragloom/core';
import { assertComponentShape, assertRagloomPlugin } from '@ragloom/core/adapter';
import { describe, expect } from 'vitest';
import { conformanceTest, type SkipMap } from '../shared/conformance-test.js';
import { expectRagloomError } from '../shared/expect-ragloom-error.js';
import { optionIssuePaths, pluginTestContext } from '../shared/plugin-test-helpers.js';

export const PLUGIN_CONFORMANCE_TESTS = [
  'plugin-shape',
  'valid-options',
  'invalid-options',
  'unknown-option',
  'create-checks-options',
  'builds-component',
] as const;

export type PluginConformanceTest = (typeof PLUGIN_CONFORMANCE_TESTS)[number];

/** Options a config might give that the plugin must refuse, and the option paths its schema must name. */
export interface InvalidPluginOptions {
  readonly options: Readonly<Record<string, unknown>>;
  /** e.g. `['batchSize']`, `['hybrid.fusion']` (in any order). */
  readonly paths: readonly string[];
}

export interface PluginConformanceOptions {
  /** In test titles; default the plugin's `name`. */
  readonly name?: string;
  /** The kind of component to check (a plugin providing several runs the suite once per kind). */
  readonly kind: ComponentKind;
  /** Options as a config file gives them, which the schema accepts and `create` builds a component from. */
  readonly validOptions: Readonly<Record<string, unknown>>;
  /** At least one bad configuration, and the paths the schema must name for it. */
  readonly invalidOptions: readonly InvalidPluginOptions[];
  /** The host's context for `create` (default: `pluginTestContext(kind, <a fresh temp dir>)`). */
  readonly context?: (storageDir: string) => PluginContextV1;
  /** Releases a built component (default: its `close()` when it has one). */
  readonly destroy?: (component: unknown) => Promise<void> | void;
  readonly skip?: SkipMap<PluginConformanceTest>;
  readonly timeout?: number;
}

type Factory = NonNullable<RagloomPluginV1[ComponentKind]>;

/**
 * The plugin conformance suite: what the ragloom app checks when it loads a plugin (the same
 * `assertRagloomPlugin` and `assertComponentShape` from `@ragloom/core/adapter`), run in the plugin's own
 * tests. It checks the export's shape, that the options schema accepts a valid config and names every bad
 * or unknown option by path, that `create` checks the options itself (a host may skip the schema), and that
 * `create` builds a v1 component of the kind.
 *
 * ```ts
 * describePluginConformance(ragloomPlugin, {
 *   kind: 'retriever',
 *   validOptions: { collection: 'docs' },
 *   invalidOptions: [{ options: { collection: 'docs', batchSize: 0 }, paths: ['batchSize'] }],
 * });
 * ```
 */
export function describePluginConformance(plugin: unknown, options: PluginConformanceOptions): void {
  const { kind } = options;
  const label =
    options.name ??
    (typeof (plugin as { name?: unknown } | null)?.name === 'string'
      ? (plugin as { name: string }).name
      : 'plugin');
  const test = (name: PluginConformanceTest, fn: () => Promise<void> | void) =>
    conformanceTest(name, options.skip, fn, options.timeout);
  // The other tests read the factory as they find it, so a shape problem fails `plugin-shape` alone.
  const factory = (): Factory => {
    const found = (plugin as Partial<RagloomPluginV1> | null)?.[kind];
    if (!found) throw new Error(`${label} provides no ${kind}`);
    return found;
  };
  const context = () => {
    const dir = mkdtempSync(join(tmpdir(), 'ragloom-plugin-conformance-'));
    return options.context?.(dir) ?? pluginTestContext(kind, dir);
  };
  const schema = () => {
    const found = factory().optionsSchema;
    expect(found, `${label}: ${kind}.optionsSchema is missing (declare the options once)`).toBeDefined();
    return found!;
  };

  describe(`Plugin conformance: ${label} (${kind})`, () => {
    test('plugin-shape', () => {
      assertRagloomPlugin(plugin, label);
      expect(plugin[kind], `${label} provides no ${kind}`).toBeDefined();
    });

    test('valid-options', async () => {
      expect(await optionIssuePaths(schema(), options.validOptions)).toEqual([]);
    });

    test('invalid-options', async () => {
      expect(options.invalidOptions.length, 'give at least one invalid configuration').toBeGreaterThan(0);
      for (const bad of options.invalidOptions) {
        const paths = await optionIssuePaths(schema(), bad.options);
        expect([...paths].sort(), JSON.stringify(bad.options)).toEqual([...bad.paths].sort());
      }
    });

    test('unknown-option', async () => {
      // A typo in a config must be reported, not silently ignored.
      const typo = { ...options.validOptions, ragloomNoSuchOption: 1 };
      expect(await optionIssuePaths(schema(), typo)).toEqual(['ragloomNoSuchOption']);
    });

    test('create-checks-options', async () => {
      const bad = options.invalidOptions[0];
      expect(bad, 'give at least one invalid configuration').toBeDefined();
      await expectRagloomError(
        () => factory().create(bad!.options as Record<string, unknown>, context()),
        'INVALID_CONFIG',
        `${kind}.create with options the schema refuses (a host that skips the schema)`,
      );
    });

    test('builds-component', async () => {
      const result = await schema()['~standard'].validate(options.validOptions);
      expect(result.issues, 'validOptions must be valid').toBeUndefined();
      const component = await factory().create(
        (result as { value: Record<string, unknown> }).value,
        context(),
      );
      try {
        assertComponentShape(kind, component, `${label} ${kind}.create`);
      } finally {
        if (options.destroy) await options.destroy(component);
        else await (component as { close?: () => Promise<void> } | null)?.close?.();
      }
    });
  });
}
