import { defineRagloomPlugin, option } from '@ragloom/core/adapter';
import { hubOptionsFromContext, modelFromContext, ONNX_MODEL_CODE_ONLY_OPTIONS } from '@ragloom/onnx-model';
import { createOnnxGenerator } from './onnx-generator.js';
import { onnxGeneratorOptions } from './onnx-generator-options.js';

/**
 * The factory's options as a config file may give them: the host supplies the cache, offline mode
 * and progress; a chat template from a config is a Jinja string (or 'plain'). `contextOverflow` defaults to
 * 'truncate-start' here: a RAG prompt longer than a small model's context loses its oldest tokens (the question
 * comes last and is kept) instead of failing.
 */
export const onnxGeneratorPluginOptions = onnxGeneratorOptions.omit(...ONNX_MODEL_CODE_ONLY_OPTIONS).extend({
  model: option
    .string()
    .describe('A Hugging Face id (`HuggingFaceTB/SmolLM2-360M-Instruct`) or a local folder.'),
  chatTemplate: option
    .string()
    .optional()
    .describe("A Jinja chat template, or 'plain'. Default: the model's."),
  contextOverflow: option.enum(['error', 'truncate-start']).default('truncate-start'),
});

/** `"generator": { "use": "@ragloom/generator-onnx", "options": { "model": "HuggingFaceTB/SmolLM2-360M-Instruct" } }` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/generator-onnx',
  generator: {
    options: onnxGeneratorPluginOptions,
    create: (options, context) =>
      createOnnxGenerator({
        ...options,
        ...hubOptionsFromContext(context),
        ...modelFromContext(options, context),
      }),
  },
});
