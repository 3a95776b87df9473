import { isRagloomError } from '@ragloom/core';
import { loadOnnxModel, type OnnxModel, Tensor } from '@ragloom/onnx-model';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKvCacheDecoder, type DecoderSpec, decoderSpecFrom } from '../src/index.js';
import { referenceTokens, storiesDir } from './support/stories.js';

const maxAbsDiff = (a: Float32Array, b: Float32Array) => {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs((a[i] as number) - (b[i] as number)));
  return max;
};

describe('KV cache on stories260k', () => {
  let model: OnnxModel;
  let spec: DecoderSpec;
  beforeAll(async () => {
    model = await loadOnnxModel(storiesDir(), { intraOpNumThreads: 1 });
    spec = decoderSpecFrom(model.config, model.graph, model.modelPath, model.maxLength);
  });
  afterAll(() => model?.close());

  it('reads the GQA geometry from config.json and checks it against the graph', () => {
    expect(spec).toMatchObject({
      numLayers: 5,
      numKvHeads: 4,
      headDim: 8,
      vocabSize: 512,
      contextLength: 512,
      hasAttentionMask: true,
      hasPositionIds: true,
      cacheType: 'float32',
    });
  });

  it('step-by-step decoding with the cache gives the logits of recomputing the whole sequence (1e-4)', async () => {
    const sequence = [1, ...referenceTokens().slice(0, 47)];
    const vocab = spec.vocabSize;
    const full = await createKvCacheDecoder(model.session, spec).prefill(sequence, { allLogits: true });
    expect(full.length).toBe(sequence.length * vocab);
    const row = (i: number) => full.subarray(i * vocab, (i + 1) * vocab);

    // One token at a time from the start.
    const cached = createKvCacheDecoder(model.session, spec);
    let worst = maxAbsDiff(await cached.prefill([sequence[0] as number]), row(0));
    for (let i = 1; i < sequence.length; i++)
      worst = Math.max(worst, maxAbsDiff(await cached.step(sequence[i] as number), row(i)));
    expect(cached.length).toBe(sequence.length);
    expect(worst).toBeLessThan(1e-4);

    // A prefilled prompt, then steps; and a second prefill chunk on top of the cache.
    const mixed = createKvCacheDecoder(model.session, spec);
    expect(maxAbsDiff(await mixed.prefill(sequence.slice(0, 12)), row(11))).toBeLessThan(1e-4);
    for (let i = 12; i < 20; i++)
      expect(maxAbsDiff(await mixed.step(sequence[i] as number), row(i))).toBeLessThan(1e-4);
    expect(maxAbsDiff(await mixed.prefill(sequence.slice(20, 30)), row(29))).toBeLessThan(1e-4);

    // The comparison is sharp: logits at different positions are far apart.
    expect(maxAbsDiff(row(10), row(11))).toBeGreaterThan(0.5);
  });

  it('present.* has the GQA shape [1, kv heads, total, head dim] that the next step is fed', async () => {
    const ids = (values: number[]) =>
      new Tensor('int64', BigInt64Array.from(values.map(BigInt)), [1, values.length]);
    const empty = new Tensor('float32', new Float32Array(0), [1, spec.numKvHeads, 0, spec.headDim]);
    const outputs = await model.session.run({
      input_ids: ids([1, 403, 407]),
      attention_mask: ids([1, 1, 1]),
      position_ids: ids([0, 1, 2]),
      ...Object.fromEntries(spec.pastInputs.flatMap((p) => [p.key, p.value]).map((name) => [name, empty])),
    });
    for (const { key, value } of spec.presentOutputs) {
      expect(outputs[key]?.dims).toEqual([1, spec.numKvHeads, 3, spec.headDim]);
      expect(outputs[value]?.dims).toEqual([1, spec.numKvHeads, 3, spec.headDim]);
    }
  });

  it('discarded draft positions leave the cache a decoder that never saw them would have', async () => {
    const sequence = [1, ...referenceTokens().slice(0, 39)];
    const vocab = spec.vocabSize;
    const full = await createKvCacheDecoder(model.session, spec).prefill(sequence, { allLogits: true });
    const row = (i: number) => full.subarray(i * vocab, (i + 1) * vocab);
    const masking = { ...spec, hasAttentionMask: true, hasPositionIds: true };
    // Masked (the graph takes attention_mask and position_ids), then with a context so small it must compact.
    for (const variant of [masking, { ...masking, contextLength: 42 }]) {
      const decoder = createKvCacheDecoder(model.session, variant);
      await decoder.prefill(sequence.slice(0, 20));
      // A run of 6 tokens of which only the first 3 are right (a rejected draft), twice.
      await decoder.prefill([...sequence.slice(20, 23), 7, 8, 9], { allLogits: true });
      decoder.discard(3);
      expect(decoder.length).toBe(23);
      await decoder.prefill([...sequence.slice(23, 25), 11, 12], { allLogits: true });
      decoder.discard(2);
      expect(decoder.length).toBe(25);
      for (let i = 25; i < sequence.length; i++) {
        expect(maxAbsDiff(await decoder.step(sequence[i] as number), row(i))).toBeLessThan(1e-4);
      }
      expect(() => decoder.discard(99)).toThrow(/discard/);
    }
  });

  it('refuses to run past the context length', async () => {
    const short = createKvCacheDecoder(model.session, { ...spec, contextLength: 6 });
    await short.prefill([1, 403, 407, 261, 378]);
    await short.step(432);
    const error = await short.step(383).catch((e: unknown) => e);
    expect(isRagloomError(error, 'CONTEXT_LENGTH_EXCEEDED')).toBe(true);
    expect(short.length).toBe(6);
  });
});
