export {
  type BatchBuffers,
  type BatchFeeds,
  createBatchBuffers,
  createBatchFeeds,
  planBatches,
} from './batch-inputs.js';
export {
  type DownloadFileOptions,
  downloadFile,
} from './download-file.js';
export {
  assertGraphSignature,
  type GraphExpectation,
  type GraphSignature,
  type GraphValue,
  graphSignature,
} from './graph-io.js';
export { type RepoCachePaths, repoCachePaths } from './hub-cache.js';
export { hubFileUrl, resolveHubFile } from './hub-file.js';
export {
  type DownloadProgressEvent,
  type HubOptions,
  type ResolvedHubOptions,
  resolveHubOptions,
} from './hub-options.js';
export {
  createInferenceSession,
  loadInferenceSession,
  MODEL_DTYPES,
  type ModelDtype,
  onnxFileForDtype,
  type SessionOptions,
} from './inference-session.js';
export {
  type JsonObject,
  positiveIntField,
  readJsonFile,
  readModelJson,
  readOptionalModelJson,
} from './model-config.js';
export { defaultModelId } from './model-id.js';
export { isLocalModelRef, type ModelSource, openModelSource } from './model-source.js';
export {
  createModelTokenizer,
  type ModelTokenizer,
  type TokenizedText,
  type TokenizeOptions,
  type TruncationStrategy,
} from './model-tokenizer.js';
export {
  type LoadOnnxModelOptions,
  loadModelTokenizer,
  loadOnnxModel,
  type OnnxModel,
} from './onnx-model.js';
export { InferenceSession, Tensor } from './onnxruntime.js';
export {
  hubOptionsFromContext,
  modelFromContext,
  ONNX_MODEL_CODE_ONLY_OPTIONS,
  onnxModelOptionShape,
} from './plugin-options.js';
export { pinnedSha256, WEIGHT_PINS } from './weight-pins.js';
