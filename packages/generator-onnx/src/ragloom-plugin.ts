import type { RagloomPluginV1 } from '@ragloom/core';
import { hubOptionsFromContext, modelFromContext, onnxModelOptionFields } from '@ragloom/onnx-model';
import { z } from 'zod';
import { createOnnxGenerator } from './onnx-generator.js';

const positiveInt = z.number().int().positive();

export const onnxGeneratorOptionsSchema = z
  .object({
    ...onnxModelOptionFields,
    chatTemplate: z.string().min(1).optional(),
    contextOverflow: z.enum(['error', 'truncate-start']).optional(),
    contextLength: positiveInt.optional(),
    maxTokens: positiveInt.optional(),
  })
  .strict();

/**
 * `"generator": { "use": "@ragloom/generator-onnx", "options": { "model": "HuggingFaceTB/SmolLM2-360M-Instruct" } }`.
 * Here `contextOverflow` defaults to 'truncate-start': a RAG prompt longer than a small model's context loses
 * its oldest tokens (the question comes last and is kept) instead of failing.
 */
export const ragloomPlugin: RagloomPluginV1 = {
  specificationVersion: 'v1',
  name: '@ragloom/generator-onnx',
  generator: {
    optionsSchema: onnxGeneratorOptionsSchema,
    create: (options, context) => {
      const { model: _model, ...parsed } = options as z.output<typeof onnxGeneratorOptionsSchema>;
      const { model, modelId } = modelFromContext(
        options as z.output<typeof onnxGeneratorOptionsSchema>,
        context,
      );
      return createOnnxGenerator(model, {
        contextOverflow: 'truncate-start',
        ...parsed,
        ...hubOptionsFromContext(context),
        modelId,
      });
    },
  },
};
