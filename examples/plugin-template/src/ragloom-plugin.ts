import { join } from 'node:path';
import {
  type Metric,
  type RagloomPluginV1,
  requireDenseManifest,
  type StandardSchemaIssue,
  type StandardSchemaV1,
} from '@ragloom/core';
import { openFlatRetriever } from './flat-retriever.js';

/** The options a config may give this plugin: `{"use": "ragloom-plugin-template", "options": {...}}`. */
export interface FlatPluginOptions {
  /** Distance for the index (default: what the app asks for, cosine). */
  readonly metric?: Metric;
  /** File name inside the folder the app gives the retriever (default "flat-index.json"). */
  readonly fileName?: string;
}

/**
 * The options schema as a hand-written Standard Schema (https://standardschema.dev): the app validates
 * config options with it and reports problems by field path. A zod 4, valibot or arktype schema works too.
 */
export const flatPluginOptionsSchema: StandardSchemaV1<unknown, FlatPluginOptions> = {
  '~standard': {
    version: 1,
    vendor: 'ragloom-plugin-template',
    validate(value) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        return { issues: [{ message: 'options must be an object', path: [] }] };
      }
      const issues: StandardSchemaIssue[] = [];
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

/**
 * The plugin convention: export `ragloomPlugin` with `specificationVersion: 'v1'` and one factory per kind
 * the package provides (`encoder`, `retriever`, `reranker`, `generator`). The types come from @ragloom/core,
 * the only dependency.
 */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: 'ragloom-plugin-template',
  retriever: {
    optionsSchema: flatPluginOptionsSchema,
    async create(rawOptions, context) {
      const options = rawOptions as FlatPluginOptions; // already validated by flatPluginOptionsSchema
      const manifest = requireDenseManifest(context, 'ragloom-plugin-template');
      return openFlatRetriever({
        manifest: { ...manifest, metric: options.metric ?? manifest.metric },
        path: join(context.storageDir, options.fileName ?? 'flat-index.json'),
      });
    },
  },
};
