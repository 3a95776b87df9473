export {
  describeEncoderConformance,
  ENCODER_CONFORMANCE_TESTS,
  type EncoderConformanceOptions,
  type EncoderConformanceTest,
} from './encoder/encoder-conformance.js';
export {
  describeGeneratorConformance,
  GENERATOR_CONFORMANCE_TESTS,
  type GeneratorConformanceOptions,
  type GeneratorConformanceTest,
} from './generator/generator-conformance.js';
export {
  describePluginConformance,
  type InvalidPluginOptions,
  PLUGIN_CONFORMANCE_TESTS,
  type PluginConformanceOptions,
  type PluginConformanceTest,
} from './plugin/plugin-conformance.js';
export {
  describeRerankerConformance,
  RERANKER_CONFORMANCE_TESTS,
  type RerankerConformanceOptions,
  type RerankerConformanceTest,
} from './reranker/reranker-conformance.js';
export {
  CONFORMANCE_FILTERS,
  type CorpusRecord,
  conformanceCorpus,
  TOP_K_FILTERS,
} from './retriever/conformance-corpus.js';
export {
  describeRetrieverConformance,
  RETRIEVER_CONFORMANCE_TESTS,
  type RetrieverConformanceOptions,
  type RetrieverConformanceTest,
  type RetrieverFactoryContext,
  type RetrieverSuiteHelpers,
} from './retriever/retriever-conformance.js';
export type { SkipMap } from './shared/conformance-test.js';
export { expectRagloomError } from './shared/expect-ragloom-error.js';
export { optionIssuePaths, pluginTestContext } from './shared/plugin-test-helpers.js';
