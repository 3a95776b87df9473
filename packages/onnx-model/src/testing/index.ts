export { bareMeanPooledEmbeddings } from './bare-encoder-run.js';
export {
  FAKE_COMMIT,
  type FakeHub,
  type FakeHubRequest,
  type LocalServer,
  startFakeHub,
} from './fake-hub.js';
