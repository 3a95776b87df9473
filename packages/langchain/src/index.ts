export { createLangChainEncoder } from './langchain-encoder.js';
export {
  type LangChainEncoderOptions,
  langChainEncoderOptions,
  type ParsedLangChainEncoderOptions,
} from './langchain-encoder-options.js';
export { type LangChainCallContext, toRagloomError } from './langchain-error.js';
export { createLangChainGenerator } from './langchain-generator.js';
export {
  type GenerationSettings,
  type LangChainChatModel,
  type LangChainGeneratorOptions,
  langChainGeneratorOptions,
  type ParsedLangChainGeneratorOptions,
} from './langchain-generator-options.js';
export {
  citationsFromAnswer,
  formatDocumentsAsContext,
  passageToDocument,
  type RagloomDocument,
  type RagloomDocumentFields,
  type RagloomDocumentMetadata,
} from './ragloom-documents.js';
export {
  RagloomRetriever,
  type RagloomRetrieverOptions,
  ragloomRetrieverOptions,
} from './ragloom-retriever.js';
