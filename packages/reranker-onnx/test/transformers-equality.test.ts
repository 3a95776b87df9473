import {
  AutoModelForSequenceClassification,
  AutoTokenizer,
  env,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
} from '@huggingface/transformers';
import { assetPath, assetsDir } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxReranker, type OnnxReranker } from '../src/index.js';

// transformers.js reads the same shared model folder and never the network (the assets README's peer snippet).
env.allowRemoteModels = false;
env.localModelPath = `${assetsDir()}/models/`;
const MODEL = 'tiny-random-cross-encoder';

const QUERY = 'how many people live in berlin?';
const DOCUMENTS = [
  'Berlin has 3.5 million inhabitants.',
  'Paris is in France.',
  'The Berlin Wall fell in 1989, and the city was reunified the following year after decades of division.',
  '柏林的人口大约有三百七十万。',
  'emoji 🙂 and ünïcödé',
];
// An empty passage is left out on purpose: transformers.js drops a falsy `text_pair` and encodes
// `[CLS] query [SEP]`, where HF tokenizers (Python/Rust) give `[CLS] query [SEP] [SEP]`; we follow the latter
// (checked in reranker-behaviour.test.ts).

let ours: OnnxReranker;
let tokenizer: PreTrainedTokenizer;
let peer: PreTrainedModel;
beforeAll(async () => {
  ours = await createOnnxReranker({
    model: assetPath('models', MODEL),
    activation: 'none',
    intraOpNumThreads: 1,
  });
  tokenizer = await AutoTokenizer.from_pretrained(MODEL);
  peer = await AutoModelForSequenceClassification.from_pretrained(MODEL, {
    dtype: 'fp32',
    session_options: { intraOpNumThreads: 1 },
  });
});
afterAll(async () => {
  await ours.close();
  await peer.dispose();
});

async function peerLogits(query: string, documents: string[]): Promise<number[]> {
  const inputs = tokenizer(new Array(documents.length).fill(query), {
    text_pair: documents,
    padding: true,
    truncation: true,
  });
  const { logits } = (await peer(inputs)) as { logits: Tensor };
  expect(logits.dims).toEqual([documents.length, 1]);
  return Array.from(logits.data as Float32Array);
}

const maxAbsDiff = (a: readonly number[], b: readonly number[]) => {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((x, i) => Math.abs(x - b[i]!)));
};

describe('tiny-random-cross-encoder: same logits as transformers.js AutoModelForSequenceClassification', () => {
  it('a padded batch of pairs', async () => {
    const theirs = await peerLogits(QUERY, DOCUMENTS);
    const mine = await ours.score(QUERY, DOCUMENTS);
    expect(maxAbsDiff(mine, theirs)).toBeLessThanOrEqual(1e-5);
    // Random weights still separate the pairs: the comparison is not between constants.
    expect(new Set(theirs.map((x) => x.toFixed(4))).size).toBe(DOCUMENTS.length);
  });

  it('each pair on its own', async () => {
    for (const document of DOCUMENTS) {
      const [theirs] = await peerLogits(QUERY, [document]);
      const [mine] = await ours.score(QUERY, [document]);
      expect(Math.abs(mine! - theirs!)).toBeLessThanOrEqual(1e-5);
    }
  });

  it('a Chinese query', async () => {
    const query = '柏林有多少人口？';
    expect(
      maxAbsDiff(await ours.score(query, DOCUMENTS), await peerLogits(query, DOCUMENTS)),
    ).toBeLessThanOrEqual(1e-5);
  });

  it('with sigmoid, scores are the sigmoid of those logits', async () => {
    const sigmoid = await createOnnxReranker({ model: assetPath('models', MODEL), activation: 'sigmoid' });
    try {
      const theirs = await peerLogits(QUERY, DOCUMENTS);
      const mine = await sigmoid.score(QUERY, DOCUMENTS);
      expect(
        maxAbsDiff(
          mine,
          theirs.map((x) => 1 / (1 + Math.exp(-x))),
        ),
      ).toBeLessThanOrEqual(1e-6);
    } finally {
      await sigmoid.close();
    }
  });
});
