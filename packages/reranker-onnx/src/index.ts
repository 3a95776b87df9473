export { createOnnxReranker, type OnnxReranker } from './onnx-reranker.js';
export {
  type OnnxRerankerOptions,
  onnxRerankerOptions,
  type ParsedOnnxRerankerOptions,
  type RerankerActivation,
} from './onnx-reranker-options.js';
export { onnxRerankerPluginOptions, ragloomPlugin } from './ragloom-plugin.js';
export type { ResolvedActivation } from './score-activation.js';
