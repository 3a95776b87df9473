export { openFlatRetriever } from './flat-retriever.js';
export {
  type FlatRetrieverOptions,
  flatRetrieverOptions,
  type ParsedFlatRetrieverOptions,
} from './flat-retriever-options.js';
export {
  type FlatPluginOptions,
  flatPluginOptionsSchema,
  ragloomPlugin,
} from './ragloom-plugin.js';
