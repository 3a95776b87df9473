import { createHashingEncoder } from '../reference/hashing-encoder.js';
import { createOverlapReranker } from '../reference/overlap-reranker.js';
import type { RagloomPluginV1 } from '../spec/plugin-v1.js';
import { createOptionsSchema } from './options-schema.js';

/**
 * Core's reference components as a plugin: `"use": "@ragloom/core"` gives the hashing encoder (lexical,
 * no model) and the term-overlap reranker — for tests and model-free setups.
 */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/core (reference components)',
  encoder: {
    optionsSchema: createOptionsSchema({ dimension: { type: 'integer', min: 2, max: 65536 } }),
    create: (options) => createHashingEncoder(options as { dimension?: number }),
  },
  reranker: {
    optionsSchema: createOptionsSchema({}),
    create: () => createOverlapReranker(),
  },
};
