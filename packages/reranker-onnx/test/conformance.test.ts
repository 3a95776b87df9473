import { describeRerankerConformance } from '@ragloom/conformance';
import { assetPath } from '@ragloom/test-utils';
import { createOnnxReranker } from '../src/index.js';

describeRerankerConformance({
  name: 'onnx (tiny-random-cross-encoder)',
  create: () =>
    createOnnxReranker({ model: assetPath('models', 'tiny-random-cross-encoder'), intraOpNumThreads: 1 }),
  tolerance: 1e-6,
});

describeRerankerConformance({
  name: 'onnx (tiny-random-cross-encoder, sigmoid, batches of 2)',
  create: () =>
    createOnnxReranker({
      model: assetPath('models', 'tiny-random-cross-encoder'),
      activation: 'sigmoid',
      maxBatchSize: 2,
      maxLength: 128,
    }),
  tolerance: 1e-6,
});
