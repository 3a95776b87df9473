import type { RagloomPluginV1 } from '@ragloom/core';
import { hubOptionsFromContext, modelFromContext, onnxModelOptionFields } from '@ragloom/onnx-model';
import { z } from 'zod';
import { ENCODER_PROMPT_PRESETS, type EncoderPromptPreset } from './encoder-prompts.js';
import { createOnnxEncoder } from './onnx-encoder.js';
import { POOLING_STRATEGIES, type PoolingStrategy } from './pooling.js';

const positiveInt = z.number().int().positive();

export const onnxEncoderOptionsSchema = z
  .object({
    ...onnxModelOptionFields,
    pooling: z.enum(POOLING_STRATEGIES as [PoolingStrategy, ...PoolingStrategy[]]).optional(),
    normalize: z.boolean().optional(),
    prompts: z
      .union([
        z.enum(['auto', ...(Object.keys(ENCODER_PROMPT_PRESETS) as EncoderPromptPreset[])]),
        z.object({ query: z.string().optional(), document: z.string().optional() }).strict(),
      ])
      .optional(),
    maxLength: positiveInt.optional(),
    maxBatchSize: positiveInt.optional(),
    maxBatchTokens: positiveInt.optional(),
    workers: z.number().int().nonnegative().optional(),
  })
  .strict();

/** `"encoder": { "use": "@ragloom/encoder-onnx", "options": { "model": "Xenova/all-MiniLM-L6-v2" } }` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/encoder-onnx',
  encoder: {
    optionsSchema: onnxEncoderOptionsSchema,
    create: (options, context) => {
      const parsed = options as z.output<typeof onnxEncoderOptionsSchema>;
      return createOnnxEncoder({
        ...parsed,
        ...hubOptionsFromContext(context),
        ...modelFromContext(parsed, context),
      });
    },
  },
};
