// Every suite passes on core's reference implementations.
import {
  createHashingEncoder,
  createMemoryKeywordRetriever,
  createMemoryVectorRetriever,
  createOverlapReranker,
  createTemplateGenerator,
} from '@ragloom/core';
import { defineRagloomPlugin, option } from '@ragloom/core/adapter';
import {
  describeEncoderConformance,
  describeGeneratorConformance,
  describePluginConformance,
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

// A plugin as the adapter kit builds one: its options declared once, `create` typed.
const keywordPlugin = defineRagloomPlugin({
  name: 'reference-keyword-plugin',
  retriever: {
    options: option.object({ k1: option.number({ exclusiveMin: 0 }).default(1.2) }),
    create: () => createMemoryKeywordRetriever(),
  },
});

describePluginConformance(keywordPlugin, {
  kind: 'retriever',
  validOptions: { k1: 0.9 },
  invalidOptions: [
    { options: { k1: 0 }, paths: ['k1'] },
    { options: { k1: 'high' }, paths: ['k1'] },
  ],
});
