import { defineRagloomPlugin } from '../adapter/define-plugin.js';
import { option } from '../adapter/option.js';
import { createHashingEncoder } from '../reference/hashing-encoder.js';
import { createOverlapReranker } from '../reference/overlap-reranker.js';

/** Options of `"use": "@ragloom/core"` as an encoder: the hashing encoder's vector length. */
export const hashingEncoderPluginOptions = option.object({
  dimension: option
    .integer({ min: 2, max: 65_536 })
    .optional()
    .describe('Vector length (default 256): more dimensions, fewer hash collisions.'),
});

/**
 * Core's reference components as a plugin: `"use": "@ragloom/core"` gives the hashing encoder (lexical,
 * no model) and the term-overlap reranker — for tests and model-free setups.
 */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/core',
  encoder: {
    options: hashingEncoderPluginOptions,
    create: (options) => createHashingEncoder(options),
  },
  reranker: {
    options: option.object({}),
    create: () => createOverlapReranker(),
  },
});
