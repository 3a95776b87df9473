import { describeGeneratorConformance } from '@ragloom/conformance';
import { createOnnxGenerator } from '../src/index.js';
import { storiesDir } from './support/stories.js';

describeGeneratorConformance({
  name: 'generator-onnx (stories260k)',
  create: () => createOnnxGenerator(storiesDir(), { intraOpNumThreads: 1 }),
});
