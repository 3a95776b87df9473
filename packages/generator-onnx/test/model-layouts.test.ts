import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DECODER_MODEL_FILE_NAMES, loadOnnxModel, type ModelDtype } from '@ragloom/onnx-model';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  createKvCacheDecoder,
  createOnnxGenerator,
  decoderSpecFrom,
  type OnnxGeneratorOptions,
} from '../src/index.js';

/**
 * The decoder layouts of ../shared/assets/model-layouts (tiny replicas of real hub exports, see its README), each
 * against its reference.json: the 30 greedy tokens from BOS that a bare onnxruntime-node KV-cache loop produced.
 */
const layout = (name: string) => assetPath('model-layouts', name);
interface Reference {
  onnxruntime_node: { new_token_ids: number[] };
  transformersjs: { text: string };
}
const reference = (name: string): Reference =>
  JSON.parse(readFileSync(join(layout(name), 'reference.json'), 'utf8')) as Reference;

const DECODER_LAYOUTS: Array<{
  name: string;
  dtype: ModelDtype;
  cache: 'float32' | 'float16';
  extra?: Omit<OnnxGeneratorOptions, 'model'>;
}> = [
  { name: 'stories260k-fp16', dtype: 'fp16', cache: 'float16' },
  { name: 'stories260k-q4', dtype: 'q4', cache: 'float32' },
  { name: 'stories260k-q4f16', dtype: 'q4f16', cache: 'float16' },
  { name: 'stories260k-external', dtype: 'fp32', cache: 'float32' },
  {
    name: 'stories260k-merged',
    dtype: 'fp32',
    cache: 'float32',
    extra: { modelFileName: 'decoder_model_merged' },
  },
];

describe.each(DECODER_LAYOUTS)(
  '$name: greedy tokens equal the bare onnxruntime loop',
  ({ name, dtype, cache, extra }) => {
    const expected = reference(name);
    const variants: Array<[string, Omit<OnnxGeneratorOptions, 'model'>]> = [
      [`dtype '${dtype}'`, { dtype }],
      ['no options (dtype from config.json)', {}],
      ...(extra
        ? ([[JSON.stringify(extra), extra]] as Array<[string, Omit<OnnxGeneratorOptions, 'model'>]>)
        : []),
    ];
    it.each(variants)('with %s', async (_label, options) => {
      const generator = await createOnnxGenerator(layout(name), { ...options, intraOpNumThreads: 1 });
      try {
        expect(generator.decoderSpec.cacheType).toBe(cache);
        const { tokens, finishReason } = await generator.generateTokens({
          inputIds: [1],
          maxTokens: 30,
          temperature: 0,
        });
        expect(finishReason).toBe('length');
        expect(tokens).toEqual(expected.onnxruntime_node.new_token_ids);
        // And the text, through the chat path (empty prompt → BOS), equals transformers.js' pipeline output.
        const { text } = await generator.generate({
          messages: [{ role: 'user', content: '' }],
          temperature: 0,
          maxTokens: 30,
        });
        expect(text).toBe(expected.transformersjs.text);
      } finally {
        await generator.close();
      }
    });
  },
);

describe('layout details', () => {
  it('the merged decoder is found without options, takes use_cache_branch, and speculates correctly', async () => {
    const merged = await createOnnxGenerator(layout('stories260k-merged'), {
      promptLookup: true,
      intraOpNumThreads: 1,
    });
    try {
      expect(merged.decoderSpec.hasUseCacheBranch).toBe(true);
      // A prompt that repeats itself makes prompt lookup draft (and reject) tokens, which discards cache slots.
      const prompt = [1, ...reference('stories260k-merged').onnxruntime_node.new_token_ids.slice(0, 20)];
      const plain = await createOnnxGenerator(layout('stories260k-merged'), { intraOpNumThreads: 1 });
      const request = { inputIds: [...prompt, ...prompt.slice(1, 12)], maxTokens: 40, temperature: 0 };
      expect((await merged.generateTokens(request)).tokens).toEqual(
        (await plain.generateTokens(request)).tokens,
      );
      await plain.close();
    } finally {
      await merged.close();
    }
  });

  it('a decoder without the dtype file names what to set', async () => {
    const error = await rejectionOf(createOnnxGenerator(layout('stories260k-q4'), { dtype: 'q4f16' }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain(
      "onnx/model_q4f16.onnx (nor onnx/decoder_model_merged_q4f16.onnx) does not exist; this model has only onnx/model_q4.onnx: set dtype 'q4'",
    );
  });

  it.each(['stories260k-fp16', 'stories260k-q4f16'])(
    '%s: the float16 cache survives discarding and compaction (the logits of recomputing the sequence)',
    async (name) => {
      const model = await loadOnnxModel(layout(name), {
        baseNames: DECODER_MODEL_FILE_NAMES,
        intraOpNumThreads: 1,
      });
      try {
        const spec = decoderSpecFrom(model.config, model.graph, model.modelPath, model.maxLength);
        const sequence = [1, ...reference(name).onnxruntime_node.new_token_ids];
        const vocab = spec.vocabSize;
        const full = await createKvCacheDecoder(model.session, spec).prefill(sequence, { allLogits: true });
        const row = (i: number) => full.subarray(i * vocab, (i + 1) * vocab);
        // contextLength 34 forces the masked-out slots to be squeezed out (a copy of the float16 cache).
        const decoder = createKvCacheDecoder(model.session, { ...spec, contextLength: 34 });
        await decoder.prefill(sequence.slice(0, 20));
        await decoder.prefill([...sequence.slice(20, 22), 7, 8, 9], { allLogits: true });
        decoder.discard(3);
        for (let i = 22; i < sequence.length; i++) {
          const logits = await decoder.step(sequence[i]!);
          let worst = 0;
          for (let v = 0; v < vocab; v++) worst = Math.max(worst, Math.abs(logits[v]! - row(i)[v]!));
          // float16 logits: one half-precision step at |logit| ≈ 20 is 0.016.
          expect(worst, `position ${i}`).toBeLessThan(0.05);
          if (i + 1 < sequence.length) expect(logits.indexOf(Math.max(...logits))).toBe(sequence[i + 1]);
        }
      } finally {
        await model.close();
      }
    },
  );

  it('concurrent generations on one fp16 generator give the tokens of sequential ones', async () => {
    const generator = await createOnnxGenerator(layout('stories260k-q4f16'), { intraOpNumThreads: 1 });
    try {
      const requests = [0, 1, 2].map((seed) => ({ inputIds: [1], maxTokens: 25, temperature: 0.8, seed }));
      const sequential = [];
      for (const r of requests) sequential.push((await generator.generateTokens(r)).tokens);
      const concurrent = await Promise.all(requests.map((r) => generator.generateTokens(r)));
      expect(concurrent.map((c) => c.tokens)).toEqual(sequential);
      expect(new Set(sequential.map((t) => t.join())).size).toBe(3);
    } finally {
      await generator.close();
    }
  });
});
