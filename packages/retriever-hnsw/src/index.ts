export {
  DEFAULTS as HNSW_DEFAULTS,
  type HnswGraphOptions,
  type HnswLoadOptions,
  type HnswOperationOptions,
  type HnswRetrieverOptions,
  type HnswRuntimeOptions,
} from './hnsw-options.js';
export {
  createHnswRetriever,
  type HnswIndexStats,
  type HnswRetriever,
  type HnswSearchRequest,
  isPersistentHnswRetriever,
  type PersistentHnswRetriever,
} from './hnsw-retriever.js';
export { INDEX_FILE_MAGIC, INDEX_FORMAT_VERSION } from './index-file-format.js';
export { hnswRetrieverFromBytes, loadHnswRetriever, openHnswRetriever } from './load-hnsw-retriever.js';
export { ragloomPlugin } from './ragloom-plugin.js';
export { wasmSimdSupported } from './select-kernel.js';
export type { KernelPreference } from './vector-kernel.js';
