export {
  ENCODER_PROMPT_PRESETS,
  type EncoderPromptPreset,
  type EncoderPrompts,
  presetForModel,
} from './encoder-prompts.js';
export { createOnnxEncoder, type OnnxEncoder } from './onnx-encoder.js';
export {
  type OnnxEncoderOptions,
  onnxEncoderOptions,
  type ParsedOnnxEncoderOptions,
} from './onnx-encoder-options.js';
export { POOLING_STRATEGIES, type PoolingStrategy, poolHiddenStates } from './pooling.js';
export { onnxEncoderPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
