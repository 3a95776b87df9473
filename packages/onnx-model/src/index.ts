export {
  type BatchBuffers,
  type BatchFeeds,
  type BatchLimits,
  createBatchBuffers,
  createBatchFeeds,
  type FloatOutput,
  planBatches,
  runForwardPass,
  runInBatches,
} from './batch-inputs.js';
export {
  type DownloadFileOptions,
  downloadFile,
} from './download-file.js';
export {
  float16Bits,
  float16Tensor,
  float16ToFloat32,
  outputAsInput,
  tensorToFloat32,
} from './float16.js';
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
export { listHubFolder } from './hub-tree.js';
export {
  createInferenceSession,
  loadInferenceSession,
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
export { inspectModelFiles, type ModelFilesReport } from './model-inspection.js';
export {
  isLocalModelRef,
  type ModelSource,
  modelSourceFiles,
  openModelSource,
} from './model-source.js';
export {
  createModelTokenizer,
  type ModelTokenizer,
  type TokenizedText,
  type TokenizeOptions,
  type TruncationStrategy,
} from './model-tokenizer.js';
export {
  assertModelDtype,
  chooseOnnxFile,
  configDtype,
  configExternalDataChunks,
  DECODER_MODEL_FILE_NAMES,
  DTYPE_FILE_SUFFIXES,
  describeOnnxFile,
  ENCODER_MODEL_FILE_NAMES,
  externalDataFiles,
  type FolderListing,
  MODEL_DTYPES,
  type ModelDtype,
  type ModelFiles,
  missingOnnxFileHint,
  type OnnxFileChoice,
  type OnnxFileOptions,
  onnxFileForDtype,
  parseOnnxFileName,
} from './onnx-file.js';
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
