import { describeEncoderConformance } from '@ragloom/conformance';
import { assetPath } from '@ragloom/test-utils';
import { createOnnxEncoder } from '../src/index.js';

describeEncoderConformance({
  name: 'onnx (tiny-random-bert)',
  create: () => createOnnxEncoder({ model: assetPath('models', 'tiny-random-bert'), intraOpNumThreads: 1 }),
  tolerance: 1e-5,
  longInputChars: 100_000,
});

describeEncoderConformance({
  name: 'onnx (bow-bert-128, small batches)',
  create: () =>
    createOnnxEncoder({
      model: assetPath('models', 'bow-bert-128'),
      intraOpNumThreads: 1,
      maxBatchSize: 2,
      maxBatchTokens: 64,
    }),
  tolerance: 1e-5,
});

describeEncoderConformance({
  name: 'onnx (bow-bert-128, worker threads)',
  create: () =>
    createOnnxEncoder({
      model: assetPath('models', 'bow-bert-128'),
      intraOpNumThreads: 1,
      workers: 2,
      maxBatchSize: 4,
    }),
  tolerance: 1e-5,
});
