export { assetPath, assetsDir, repoRoot } from './assets.js';
export { closedPort, type LocalServer, readBody, startLocalServer } from './http-server.js';
export {
  type OpenAICompatibleServer,
  type OpenAICompatibleServerOptions,
  type RecordedOpenAIRequest,
  type ServedChatModel,
  type ServedChatRequest,
  type ServedEmbeddingModel,
  type ServedFault,
  type ServedStreamPart,
  startOpenAICompatibleServer,
} from './openai-compatible-server.js';
export { type ReadmeExampleOptions, runReadmeExample } from './readme-example.js';
export { type RagloomErrorShape, rejectionOf } from './rejection.js';
