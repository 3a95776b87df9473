import type { RagloomPluginV1 } from '@ragloom/core';
import { hubOptionsFromContext, modelFromContext, onnxModelOptionFields } from '@ragloom/onnx-model';
import { z } from 'zod';
import { createOnnxReranker } from './onnx-reranker.js';

const positiveInt = z.number().int().positive();

export const onnxRerankerOptionsSchema = z
  .object({
    ...onnxModelOptionFields,
    activation: z.enum(['auto', 'sigmoid', 'none']).optional(),
    maxLength: positiveInt.optional(),
    maxBatchSize: positiveInt.optional(),
    maxBatchTokens: positiveInt.optional(),
  })
  .strict();

/** `"reranker": { "use": "@ragloom/reranker-onnx", "options": { "model": "Xenova/ms-marco-MiniLM-L-6-v2" } }` */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/reranker-onnx',
  reranker: {
    optionsSchema: onnxRerankerOptionsSchema,
    create: (options, context) => {
      const parsed = options as z.output<typeof onnxRerankerOptionsSchema>;
      return createOnnxReranker({
        ...parsed,
        ...hubOptionsFromContext(context),
        ...modelFromContext(parsed, context),
      });
    },
  },
};
