export { createOnnxReranker, type OnnxReranker } from './onnx-reranker.js';
export type { OnnxRerankerOptions, RerankerActivation } from './onnx-reranker-options.js';
export { ragloomPlugin } from './ragloom-plugin.js';
export type { ResolvedActivation } from './score-activation.js';
