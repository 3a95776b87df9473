import { defineRagloomPlugin, requireDenseManifest } from '@ragloom/core/adapter';
import { hnswConfigOptions } from './hnsw-options.js';
import { openHnswRetriever } from './load-hnsw-retriever.js';

// No node: imports here: the package's main entry must keep loading in a browser.

/** The options a config may give the plugin, declared once (the factory checks the same declaration). */
export const hnswRetrieverOptionsSchema = hnswConfigOptions;

/**
 * `"retrievers": [{ "name": "dense", "use": "@ragloom/retriever-hnsw", "options": { "M": 16 } }]`: the index
 * file lives in the folder the host gives the retriever, and its manifest comes from the host's encoder.
 */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/retriever-hnsw',
  retriever: {
    options: hnswConfigOptions,
    create: (options, context) => {
      const manifest = requireDenseManifest(context, '@ragloom/retriever-hnsw');
      return openHnswRetriever({
        ...options,
        encoderModelId: manifest.encoderModelId,
        dimension: manifest.dimension,
        metric: options.metric ?? manifest.metric,
        path: `${context.storageDir.replace(/[\\/]+$/, '')}/hnsw.index`,
      });
    },
  },
});
