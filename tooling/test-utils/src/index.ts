export { assetPath, assetsDir, repoRoot } from './assets.js';
export { type LocalServer, readBody, startLocalServer } from './http-server.js';
export { type RagloomErrorShape, rejectionOf } from './rejection.js';
