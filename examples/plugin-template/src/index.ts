export { openFlatRetriever } from './flat-retriever.js';
export type { FlatRetrieverOptions } from './flat-retriever-options.js';
export {
  type FlatPluginOptions,
  flatPluginOptionsSchema,
  ragloomPlugin,
} from './ragloom-plugin.js';
