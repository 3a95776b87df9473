import type { EncoderV1 } from '../spec/encoder-v1.js';
import type { GeneratorV1 } from '../spec/generator-v1.js';
import type { ComponentKind, PluginContextV1 } from '../spec/plugin-v1.js';
import type { RerankerV1 } from '../spec/reranker-v1.js';
import type { RetrieverV1 } from '../spec/retriever-v1.js';
import type { InferOptions, InferOptionsInput, OptionSchema } from './option-schema.js';
import { parseOptions } from './parse-options.js';

/** A schema whose parsed value is an options object: `option.object({...})` and what is built from it. */
export type OptionsObjectSchema = OptionSchema<
  { readonly [key: string]: unknown },
  { readonly [key: string]: unknown }
>;

/** One kind of component a plugin provides: its options, declared once, and the factory that gets them parsed. */
export interface ComponentDefinition<C, S extends OptionsObjectSchema> {
  /** The options, declared with `option.object({...})` (`option.object({})` for none: unknown keys are errors). */
  readonly options: S;
  /** Receives the options parsed and typed (defaults filled in) and the host's context. */
  create(options: InferOptions<S>, context: PluginContextV1): C | Promise<C>;
}

export interface RagloomPluginDefinition<
  E extends OptionsObjectSchema,
  R extends OptionsObjectSchema,
  K extends OptionsObjectSchema,
  G extends OptionsObjectSchema,
> {
  /** The package name: named in option errors (`invalid options for retriever "dense" (acme-retriever)`). */
  readonly name: string;
  readonly encoder?: ComponentDefinition<EncoderV1, E>;
  readonly retriever?: ComponentDefinition<RetrieverV1, R>;
  readonly reranker?: ComponentDefinition<RerankerV1, K>;
  readonly generator?: ComponentDefinition<GeneratorV1, G>;
}

/**
 * A factory made by `defineRagloomPlugin`: `optionsSchema` is the declaration itself, and `create` takes the
 * options as a caller writes them (defaults optional) and checks them again, so a direct call, or a host that
 * skips validation, gets the same INVALID_CONFIG error as the app. It is a `ComponentFactoryV1<C>`.
 */
export interface DefinedComponentFactory<C, S extends OptionsObjectSchema> {
  readonly optionsSchema: S;
  create(options: InferOptionsInput<S>, context: PluginContextV1): C | Promise<C>;
}

type Provided<Kind extends ComponentKind, C, S extends OptionsObjectSchema> = [S] extends [never]
  ? unknown
  : { readonly [P in Kind]: DefinedComponentFactory<C, S> };

/** What `defineRagloomPlugin` returns: a `RagloomPluginV1` whose provided kinds are present and typed. */
export type DefinedRagloomPlugin<
  E extends OptionsObjectSchema,
  R extends OptionsObjectSchema,
  K extends OptionsObjectSchema,
  G extends OptionsObjectSchema,
> = { readonly specificationVersion: 'v1'; readonly name: string } & Provided<'encoder', EncoderV1, E> &
  Provided<'retriever', RetrieverV1, R> &
  Provided<'reranker', RerankerV1, K> &
  Provided<'generator', GeneratorV1, G>;

function factoryFor<C, S extends OptionsObjectSchema>(
  pluginName: string,
  kind: ComponentKind,
  definition: ComponentDefinition<C, S>,
): DefinedComponentFactory<C, S> {
  return {
    optionsSchema: definition.options,
    create(options, context) {
      const where = context.name === kind ? kind : `${kind} "${context.name}"`;
      const parsed = parseOptions(definition.options, options, { component: `${where} (${pluginName})` });
      return definition.create(parsed, context);
    },
  };
}

/**
 * The plugin a package exports as `ragloomPlugin`: per kind, the options declared once with `option` and a
 * `create` that receives them parsed and typed — no casts. The result is a `RagloomPluginV1` (the app loads it
 * as any other plugin and validates with `optionsSchema`, a Standard Schema).
 *
 * ```ts
 * export const ragloomPlugin = defineRagloomPlugin({
 *   name: 'acme-retriever',
 *   retriever: {
 *     options: option.object({ collection: option.string(), batchSize: option.integer({ min: 1 }).default(256) }),
 *     create: (options, context) => openAcmeRetriever({ ...options, manifest: requireDenseManifest(context, 'acme-retriever') }),
 *   },
 * });
 * ```
 */
export function defineRagloomPlugin<
  E extends OptionsObjectSchema = never,
  R extends OptionsObjectSchema = never,
  K extends OptionsObjectSchema = never,
  G extends OptionsObjectSchema = never,
>(definition: RagloomPluginDefinition<E, R, K, G>): DefinedRagloomPlugin<E, R, K, G> {
  const { name } = definition;
  const plugin = {
    specificationVersion: 'v1' as const,
    name,
    ...(definition.encoder ? { encoder: factoryFor(name, 'encoder', definition.encoder) } : {}),
    ...(definition.retriever ? { retriever: factoryFor(name, 'retriever', definition.retriever) } : {}),
    ...(definition.reranker ? { reranker: factoryFor(name, 'reranker', definition.reranker) } : {}),
    ...(definition.generator ? { generator: factoryFor(name, 'generator', definition.generator) } : {}),
  };
  // The kinds present are exactly those defined; TypeScript cannot follow the spreads through the conditional
  // `Provided` types, so the one cast of the kit sits here instead of in every plugin.
  return plugin as DefinedRagloomPlugin<E, R, K, G>;
}
