import { defineRagloomPlugin } from '@ragloom/core/adapter';
import { hubOptionsFromContext, modelFromContext, ONNX_MODEL_CODE_ONLY_OPTIONS } from '@ragloom/onnx-model';
import { createOnnxEncoder } from './onnx-encoder.js';
import { onnxEncoderOptions } from './onnx-encoder-options.js';

/** The factory's options as a config file may give them: the host supplies the cache, offline mode and progress. */
export const onnxEncoderPluginOptions = onnxEncoderOptions.omit(...ONNX_MODEL_CODE_ONLY_OPTIONS);

/** `"encoder": { "use": "@ragloom/encoder-onnx", "options": { "model": "Xenova/all-MiniLM-L6-v2" } }` */
export const ragloomPlugin = defineRagloomPlugin({
  name: '@ragloom/encoder-onnx',
  encoder: {
    options: onnxEncoderPluginOptions,
    create: (options, context) =>
      createOnnxEncoder({
        ...options,
        ...hubOptionsFromContext(context),
        ...modelFromContext(options, context),
      }),
  },
});
