import { join } from 'node:path';
import { type DenseIndexManifest, type Metric, RagloomError, type RetrieverV1 } from '@ragloom/core';
import { openFlatRetriever } from './flat-retriever.js';

/** The options a config may give this plugin: `{"use": "ragloom-plugin-template", "options": {...}}`. */
export interface FlatPluginOptions {
  /** Distance for the index (default: what the app asks for, cosine). */
  readonly metric?: Metric;
  /** File name inside the folder the app gives the retriever (default "flat-index.json"). */
  readonly fileName?: string;
}

type Issue = { message: string; path: string[] };

/**
 * The options schema as a hand-written Standard Schema (https://standardschema.dev): the app validates
 * config options with it and reports problems by field path. A zod 4, valibot or arktype schema works too.
 */
export const flatPluginOptionsSchema = {
  '~standard': {
    version: 1 as const,
    vendor: 'ragloom-plugin-template',
    validate(value: unknown): { value: FlatPluginOptions } | { issues: Issue[] } {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { issues: [{ message: 'options must be an object', path: [] }] };
      }
      const issues: Issue[] = [];
      const v = value as Record<string, unknown>;
      for (const key of Object.keys(v)) {
        if (key !== 'metric' && key !== 'fileName')
          issues.push({ message: `unknown option "${key}"`, path: [key] });
      }
      if (v.metric !== undefined && !['cosine', 'dot', 'l2'].includes(v.metric as string)) {
        issues.push({ message: 'expected "cosine", "dot" or "l2"', path: ['metric'] });
      }
      if (v.fileName !== undefined && (typeof v.fileName !== 'string' || !/^[\w.-]+$/.test(v.fileName))) {
        issues.push({ message: 'expected a plain file name', path: ['fileName'] });
      }
      return issues.length > 0 ? { issues } : { value: v as FlatPluginOptions };
    },
  },
};

/** What the ragloom app passes to a factory next to the options (the part this plugin uses). */
export interface PluginContextLike {
  /** A folder this retriever owns for its files. */
  readonly storageDir: string;
  /** The dense index the app's encoder needs (undefined when no encoder is configured). */
  readonly denseManifest?: DenseIndexManifest;
}

/**
 * The plugin convention: export `ragloomPlugin` with `specificationVersion: 'v1'` and one factory per kind
 * the package provides (`encoder`, `retriever`, `reranker`, `generator`). Only @ragloom/core is needed.
 */
export const ragloomPlugin = {
  specificationVersion: 'v1' as const,
  name: 'ragloom-plugin-template',
  retriever: {
    optionsSchema: flatPluginOptionsSchema,
    async create(options: FlatPluginOptions, context: PluginContextLike): Promise<RetrieverV1> {
      if (!context.denseManifest) {
        throw new RagloomError(
          'INVALID_CONFIG',
          'the flat retriever stores vectors, so the config needs an "encoder"',
        );
      }
      return openFlatRetriever({
        manifest: { ...context.denseManifest, metric: options.metric ?? context.denseManifest.metric },
        path: join(context.storageDir, options.fileName ?? 'flat-index.json'),
      });
    },
  },
};
