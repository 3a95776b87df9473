import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineRagloomPlugin, option, requireDenseManifest } from '../src/adapter/index.js';
import {
  type ComponentFactoryV1,
  ragloomPlugin as corePlugin,
  createMemoryVectorRetriever,
  type EncoderV1,
  isRagloomError,
  type PluginContextV1,
  type RagloomPluginV1,
  type RetrieverV1,
  type StandardSchemaV1,
} from '../src/index.js';
import { pluginContext } from './plugin-context.js';

const context = pluginContext;

const denseManifest = { kind: 'dense', encoderModelId: 'test/enc', dimension: 3, metric: 'cosine' } as const;

const retrieverOptions = option.object({
  metric: option.enum(['cosine', 'dot', 'l2']).optional(),
  batchSize: option.integer({ min: 1 }).default(256),
});

const seen: unknown[] = [];
const plugin = defineRagloomPlugin({
  name: 'acme-retriever',
  retriever: {
    options: retrieverOptions,
    create: (options, ctx) => {
      // The options arrive parsed and typed: no cast, defaults filled.
      expectTypeOf(options).toEqualTypeOf<{
        readonly metric?: 'cosine' | 'dot' | 'l2';
        readonly batchSize: number;
      }>();
      expectTypeOf(ctx).toEqualTypeOf<PluginContextV1>();
      seen.push(options);
      const manifest = requireDenseManifest(ctx, 'acme-retriever');
      return createMemoryVectorRetriever({ ...manifest, metric: options.metric ?? manifest.metric });
    },
  },
});

describe('defineRagloomPlugin', () => {
  it('is a RagloomPluginV1 with exactly the kinds it defines, typed', () => {
    expectTypeOf(plugin).toExtend<RagloomPluginV1>();
    expectTypeOf(plugin.retriever).toExtend<ComponentFactoryV1<RetrieverV1>>();
    expectTypeOf(plugin.retriever.create).parameter(0).toEqualTypeOf<{
      readonly metric?: 'cosine' | 'dot' | 'l2' | undefined;
      readonly batchSize?: number | undefined;
    }>();
    expectTypeOf(plugin.retriever.optionsSchema).toEqualTypeOf<typeof retrieverOptions>();
    expectTypeOf(plugin).not.toHaveProperty('encoder');
    expect(plugin.specificationVersion).toBe('v1');
    expect(Object.keys(plugin).sort()).toEqual(['name', 'retriever', 'specificationVersion']);
    // A host holding it as the untyped v1 plugin calls create with a plain record, as the app does.
    const asHost: RagloomPluginV1 = plugin;
    expect(typeof asHost.retriever?.create).toBe('function');
  });

  it("core's own plugin is typed the same way", () => {
    expectTypeOf(corePlugin.encoder.create)
      .parameter(0)
      .toEqualTypeOf<{ readonly dimension?: number | undefined }>();
    expectTypeOf(corePlugin.encoder.create).returns.toEqualTypeOf<EncoderV1 | Promise<EncoderV1>>();
    expectTypeOf(corePlugin).toExtend<RagloomPluginV1>();
  });

  it("create parses again, so a direct call gets the host's checks and defaults", async () => {
    seen.length = 0;
    const retriever = await plugin.retriever.create({ metric: 'dot' }, context({ denseManifest }));
    expect(retriever.manifest).toEqual({ ...denseManifest, metric: 'dot' });
    expect(seen).toEqual([{ metric: 'dot', batchSize: 256 }]);
    let caught: unknown;
    try {
      // @ts-expect-error: a value the type refuses, as untyped JavaScript or a lax host could pass it
      await plugin.retriever.create({ batchSize: 0, metrc: 'dot' }, context({ denseManifest }));
    } catch (error) {
      caught = error;
    }
    expect(isRagloomError(caught, 'INVALID_CONFIG')).toBe(true);
    expect((caught as Error).message).toBe(
      'invalid options for retriever "dense" (acme-retriever): metrc: unknown option "metrc" (did you mean "metric"?); ' +
        'valid options: metric, batchSize; batchSize: expected an integer >= 1, got 0',
    );
    expect((caught as { details: unknown }).details).toEqual({
      component: 'retriever "dense" (acme-retriever)',
      issues: [
        {
          path: 'metrc',
          message: 'unknown option "metrc" (did you mean "metric"?); valid options: metric, batchSize',
        },
        { path: 'batchSize', message: 'expected an integer >= 1, got 0' },
      ],
    });
  });

  it('third-party plugins written against the untyped v1 type still compile and work', async () => {
    const untyped: RagloomPluginV1 = {
      specificationVersion: 'v1',
      retriever: {
        create: (options, ctx) => {
          expectTypeOf(options).toEqualTypeOf<Record<string, unknown>>();
          return createMemoryVectorRetriever({ ...requireDenseManifest(ctx, 'x') });
        },
      },
    };
    // ...and so do factories typed by hand with the new Options parameter.
    const typedByHand: ComponentFactoryV1<RetrieverV1, { readonly metric?: 'dot' }> = {
      create: (options, ctx) =>
        createMemoryVectorRetriever({
          ...requireDenseManifest(ctx, 'x'),
          metric: options.metric ?? 'cosine',
        }),
    };
    const host: RagloomPluginV1 = { specificationVersion: 'v1', retriever: typedByHand };
    const a = await untyped.retriever?.create({}, context({ denseManifest }));
    const b = await host.retriever?.create({ metric: 'dot' }, context({ denseManifest }));
    expect([a?.manifest, b?.manifest]).toMatchObject([{ metric: 'cosine' }, { metric: 'dot' }]);
  });
});

describe('Standard Schema interop', () => {
  it('the options declaration is a Standard Schema v1 with typed output', async () => {
    const schema: StandardSchemaV1<unknown, { readonly batchSize: number }> = retrieverOptions;
    expect(schema['~standard'].version).toBe(1);
    expect(schema['~standard'].vendor).toBe('ragloom');
    expect(schema['~standard'].validate({ batchSize: 2 })).toEqual({ value: { batchSize: 2 } });
    const result = await schema['~standard'].validate({ batchSize: 'x' });
    expect(result.issues).toEqual([{ path: ['batchSize'], message: 'expected an integer >= 1, got "x"' }]);
  });

  it("the app's plugin loader reads it: recognised, validated, problems by path", async () => {
    // The app's own reader (apps/ragloom/src/plugins/standard-schema.ts), loaded as the app runs it.
    const reader = (await import(
      pathToFileURL(join(import.meta.dirname, '../../../apps/ragloom/src/plugins/standard-schema.ts')).href
    )) as {
      isStandardSchema(value: unknown): boolean;
      validateWithStandardSchema(
        schema: StandardSchemaV1,
        value: unknown,
      ): Promise<
        { ok: true; value: unknown } | { ok: false; problems: { path: PropertyKey[]; message: string }[] }
      >;
    };
    expect(reader.isStandardSchema(plugin.retriever.optionsSchema)).toBe(true);
    expect(reader.isStandardSchema(corePlugin.encoder.optionsSchema)).toBe(true);
    expect(await reader.validateWithStandardSchema(plugin.retriever.optionsSchema, { metric: 'l2' })).toEqual(
      {
        ok: true,
        value: { metric: 'l2', batchSize: 256 },
      },
    );
    expect(
      await reader.validateWithStandardSchema(corePlugin.encoder.optionsSchema, {
        dimension: 1,
        extra: true,
      }),
    ).toEqual({
      ok: false,
      problems: [
        { path: ['extra'], message: 'unknown option "extra"; valid options: dimension' },
        { path: ['dimension'], message: 'expected an integer from 2 to 65536, got 1' },
      ],
    });
    // What the app then does with the parsed value: pass it to create.
    const parsed = await reader.validateWithStandardSchema(corePlugin.encoder.optionsSchema, {
      dimension: 32,
    });
    expect(parsed.ok).toBe(true);
    const encoder = await corePlugin.encoder.create(
      (parsed as { value: Record<string, unknown> }).value,
      context({ kind: 'encoder', name: 'encoder' }),
    );
    expect(encoder.dimension).toBe(32);
  });

  it("core's reranker takes no options and says so", async () => {
    expect(corePlugin.reranker.optionsSchema['~standard'].validate({ topK: 3 })).toEqual({
      issues: [{ path: ['topK'], message: 'unknown option "topK"; this takes no options' }],
    });
    const reranker = await corePlugin.reranker.create({}, context({ kind: 'reranker', name: 'reranker' }));
    expect(reranker.specificationVersion).toBe('v1');
  });
});
