import { defineRagloomPlugin } from '@ragloom/core/adapter';
import { hubOptionsFromContext, modelFromContext, ONNX_MODEL_CODE_ONLY_OPTIONS } from '@ragloom/onnx-model';
import { createOnnxReranker } from './onnx-reranker.js';
import { onnxRerankerOptions } from './onnx-reranker-options.js';

/** The factory's options as a config file may give them: the host supplies the cache, offline mode and progress. */
export const onnxRerankerPluginOptions = onnxRerankerOptions.omit(...ONNX_MODEL_CODE_ONLY_OPTIONS);

/** `"reranker": { "use": "@ragloom/reranker-onnx", "options": { "model": "Xenova/ms-marco-MiniLM-L-6-v2" } }` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/reranker-onnx',
  reranker: {
    options: onnxRerankerPluginOptions,
    create: (options, context) =>
      createOnnxReranker({
        ...options,
        ...hubOptionsFromContext(context),
        ...modelFromContext(options, context),
      }),
  },
});
