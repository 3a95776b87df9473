import { env, type FeatureExtractionPipeline, pipeline } from '@huggingface/transformers';
import { assetPath, assetsDir } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEncoder, type OnnxEncoder } from '../src/index.js';

// transformers.js reads the same shared model folders, never the network.
env.allowRemoteModels = false;
env.localModelPath = `${assetsDir()}/models/`;

const TEXTS = {
  english: [
    'the cat sat on the mat',
    'Retrieval-augmented generation grounds a language model in documents.',
  ],
  chinese: ['北京是中国的首都。', '检索增强生成把检索到的文档交给语言模型，用来回答问题。'],
  emoji: ['🙂🚀 launch day 🎉', 'emoji only: 😀😃😄😁'],
};
const ALL = [...TEXTS.english, ...TEXTS.chinese, ...TEXTS.emoji, 'a', 'short one'];

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

for (const name of ['tiny-random-bert', 'bow-bert-128']) {
  describe(`${name}: same embeddings as transformers.js (mean pooling, normalized)`, () => {
    let ours: OnnxEncoder;
    let peer: FeatureExtractionPipeline;
    beforeAll(async () => {
      ours = await createOnnxEncoder({ model: assetPath('models', name), intraOpNumThreads: 1 });
      peer = await pipeline('feature-extraction', name, {
        dtype: 'fp32',
        session_options: { intraOpNumThreads: 1 },
      });
    });
    afterAll(async () => {
      await ours.close();
      await peer.dispose();
    });
    const theirs = async (texts: string[]) => {
      const out = await peer(texts, { pooling: 'mean', normalize: true });
      const dim = out.dims[1]!;
      const data = out.data as Float32Array;
      return texts.map((_, i) => data.subarray(i * dim, (i + 1) * dim));
    };

    for (const [language, texts] of Object.entries(TEXTS)) {
      it(`${language}: one text at a time`, async () => {
        for (const text of texts) {
          const [mine] = (await ours.embed({ texts: [text], inputType: 'document' })).embeddings;
          const [peerVector] = await theirs([text]);
          expect(maxAbsDiff(mine!, peerVector!)).toBeLessThanOrEqual(1e-5);
        }
      });
    }

    it('a padded batch of mixed lengths and languages (ours re-sorted by length, theirs in order)', async () => {
      const mine = (await ours.embed({ texts: ALL, inputType: 'document' })).embeddings;
      const peerVectors = await theirs(ALL);
      ALL.forEach((text, i) => {
        expect(maxAbsDiff(mine[i]!, peerVectors[i]!), text).toBeLessThanOrEqual(1e-5);
      });
      expect(ours.dimension).toBe(name === 'bow-bert-128' ? 128 : 64);
    });
  });
}
