// Issue 13, item 1: a Node service embeds concurrent requests with one encoder. Each request must get
// exactly — bit for bit — the vectors it gets alone, in the calling thread and with worker threads.
import { assetPath } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEncoder, type OnnxEncoder } from '../src/index.js';

const bowBert = assetPath('models', 'bow-bert-128');

const QUERIES = [
  'what causes the northern lights?',
  'how do vaccines train the immune system',
  'capital of Australia',
  'Is coffee bad for the heart?',
  '光合作用需要什么？',
  'symptoms of vitamin D deficiency in adults',
  'a',
  'why is the sky blue during the day but red at sunset, and does pollution change that?',
];

const bits = (v: Float32Array) => Array.from(new Uint32Array(v.buffer, v.byteOffset, v.length));

for (const variant of [
  { name: 'in the calling thread', workers: 0 },
  { name: 'with two worker threads', workers: 2 },
]) {
  describe(`OnnxEncoder under concurrent calls, ${variant.name}`, () => {
    let encoder: OnnxEncoder;
    beforeAll(async () => {
      encoder = await createOnnxEncoder({
        model: bowBert,
        intraOpNumThreads: 1,
        workers: variant.workers,
        maxBatchSize: 4,
      });
    });
    afterAll(() => encoder.close());

    const embedOne = async (text: string, inputType: 'query' | 'document') =>
      (await encoder.embed({ texts: [text], inputType })).embeddings[0]!;

    it('Promise.all of single-text embeds equals the same embeds one at a time, bit for bit', async () => {
      const sequential: Float32Array[] = [];
      for (const q of QUERIES) sequential.push(await embedOne(q, 'query'));
      const concurrent = await Promise.all(QUERIES.map((q) => embedOne(q, 'query')));
      concurrent.forEach((v, i) => {
        expect(bits(v), `"${QUERIES[i]}"`).toEqual(bits(sequential[i]!));
      });
    });

    it('mixed batch sizes and input types at once equal the same calls one at a time, bit for bit', async () => {
      const requests = [
        { texts: QUERIES.slice(0, 1), inputType: 'query' as const },
        { texts: QUERIES, inputType: 'document' as const },
        { texts: QUERIES.slice(2, 5), inputType: 'query' as const },
        {
          texts: Array.from({ length: 21 }, (_, i) => `${QUERIES[i % 8]} ${i}`),
          inputType: 'document' as const,
        },
        { texts: QUERIES.slice(7), inputType: 'query' as const },
      ];
      const sequential: Float32Array[][] = [];
      for (const r of requests) sequential.push((await encoder.embed(r)).embeddings);
      const concurrent = await Promise.all(requests.map(async (r) => (await encoder.embed(r)).embeddings));
      concurrent.forEach((vectors, r) => {
        expect(vectors.map(bits), `request ${r}`).toEqual(sequential[r]!.map(bits));
      });
    });
  });
}
