export { openFlatRetriever } from './flat-retriever.js';
export type { FlatRetrieverOptions } from './flat-retriever-options.js';
export {
  type FlatPluginOptions,
  flatPluginOptionsSchema,
  type PluginContextLike,
  ragloomPlugin,
} from './ragloom-plugin.js';
