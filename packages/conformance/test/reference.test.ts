// Every suite passes on core's reference implementations.
import {
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createOverlapReranker,
  createTemplateGenerator,
} from '@ragloom/core';
import {
  describeEncoderConformance,
  describeGeneratorConformance,
  describeRerankerConformance,
  describeRetrieverConformance,
} from '../src/index.js';

describeRetrieverConformance({
  name: 'memory vector retriever',
  query: 'vector',
  create: ({ manifest }) => createMemoryVectorRetriever(manifest!),
});

describeRetrieverConformance({
  name: 'memory keyword retriever',
  query: 'text',
  create: () => createMemoryKeywordRetriever(),
});

describeEncoderConformance({
  name: 'hashing encoder',
  create: () => createHashingEncoder({ dimension: 64 }),
});

describeGeneratorConformance({
  name: 'template generator',
  create: () => createTemplateGenerator({ tokenDelayMs: 1 }),
});

describeRerankerConformance({
  name: 'overlap reranker',
  create: () => createOverlapReranker(),
});
