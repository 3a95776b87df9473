import { join } from 'node:path';
import { defineRagloomPlugin, type InferOptions, option, requireDenseManifest } from '@ragloom/core/adapter';
import { openFlatRetriever } from './flat-retriever.js';

/**
 * The options a config may give this plugin (`{"use": "ragloom-plugin-template", "options": {...}}`), declared
 * once with core's dependency-free kit. The declaration is a Standard Schema: the app validates config options
 * with it and reports problems by field path (`retrievers[1].options.metric: expected one of ...`).
 */
export const flatPluginOptionsSchema = option.object({
  metric: option
    .enum(['cosine', 'dot', 'l2'])
    .optional()
    .describe('Distance for the index (default: what the app asks for, cosine).'),
  fileName: option
    .string({ pattern: /^[\w.-]+$/, expected: 'a plain file name' })
    .default('flat-index.json')
    .describe('File name inside the folder the app gives the retriever.'),
});

export type FlatPluginOptions = InferOptions<typeof flatPluginOptionsSchema>;

/**
 * The plugin convention: export `ragloomPlugin`. `defineRagloomPlugin` adds `specificationVersion: 'v1'`, uses
 * the declaration as each kind's `optionsSchema`, and hands `create` the options parsed and typed — no casts.
 * The types and helpers come from @ragloom/core, the only dependency.
 */
export const ragloomPlugin = defineRagloomPlugin({
  name: 'ragloom-plugin-template',
  retriever: {
    options: flatPluginOptionsSchema,
    create(options, context) {
      const manifest = requireDenseManifest(context, 'ragloom-plugin-template');
      return openFlatRetriever({
        manifest: { ...manifest, metric: options.metric ?? manifest.metric },
        path: join(context.storageDir, options.fileName),
      });
    },
  },
});
