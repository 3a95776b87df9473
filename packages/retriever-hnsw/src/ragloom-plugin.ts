import { createOptionsSchema, type RagloomPluginV1, requireDenseManifest } from '@ragloom/core';
import type { HnswRetrieverOptions } from './hnsw-options.js';
import { openHnswRetriever } from './load-hnsw-retriever.js';

// No schema library and no node: imports here: the package's main entry must keep loading in a browser.
export const hnswRetrieverOptionsSchema = createOptionsSchema({
  metric: { type: 'enum', values: ['cosine', 'dot', 'l2'] },
  M: { type: 'integer', min: 2, max: 256 },
  efConstruction: { type: 'integer', min: 1 },
  ef: { type: 'integer', min: 1 },
  seed: { type: 'integer' },
  fullScanThreshold: { type: 'integer', min: 0 },
  compactionThreshold: { type: 'number', min: 0.001, max: 1 },
  kernel: { type: 'enum', values: ['auto', 'wasm', 'js'] },
  quantization: { type: 'enum', values: ['none', 'int8', 'binary'] },
  // Omitted: 'auto' (the cores available).
  buildThreads: { type: 'integer', min: 1, max: 8 },
  floatVectors: { type: 'enum', values: ['memory', 'file'] },
  oversampling: { type: 'number', min: 1, max: 100 },
});

/**
 * `"retrievers": [{ "name": "dense", "use": "@ragloom/retriever-hnsw", "options": { "M": 16 } }]`: the index
 * file lives in the folder the host gives the retriever, and its manifest comes from the host's encoder.
 */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/retriever-hnsw',
  retriever: {
    optionsSchema: hnswRetrieverOptionsSchema,
    create: (options, context) => {
      const manifest = requireDenseManifest(context, '@ragloom/retriever-hnsw');
      return openHnswRetriever({
        ...(options as Partial<HnswRetrieverOptions>),
        encoderModelId: manifest.encoderModelId,
        dimension: manifest.dimension,
        metric: (options.metric as HnswRetrieverOptions['metric'] | undefined) ?? manifest.metric,
        path: `${context.storageDir.replace(/[\\/]+$/, '')}/hnsw.index`,
      });
    },
  },
};
