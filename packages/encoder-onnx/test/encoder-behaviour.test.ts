import { copyFileSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cosineSimilarity, isRagloomError, type RagloomError } from '@ragloom/core';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxEncoder, type OnnxEncoder, presetForModel } from '../src/index.js';

const tinyBert = assetPath('models', 'tiny-random-bert');
const bowBert = assetPath('models', 'bow-bert-128');
const MODEL_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];

/** A temp copy of a shared model with extra files (sentence-transformers configs); never inside the repo. */
function modelWith(source: string, extra: Record<string, string>, files = MODEL_FILES): string {
  const dir = mkdtempSync(join(tmpdir(), 'ragloom-encoder-'));
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(source, file), join(dir, file));
  }
  for (const [file, content] of Object.entries(extra)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), content);
  }
  return dir;
}

const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('OnnxEncoder on bow-bert-128', () => {
  let encoder: OnnxEncoder;
  beforeAll(async () => {
    encoder = await createOnnxEncoder({ model: bowBert, intraOpNumThreads: 1 });
  });
  afterAll(() => encoder.close());

  it('reports what it resolved from the model', () => {
    expect(encoder).toMatchObject({
      provider: 'onnx',
      modelId: 'bow-bert-128',
      dimension: 128,
      normalized: true,
      pooling: 'mean',
      maxLength: 512,
      prompts: { query: '', document: '' },
    });
  });

  it('carries the lexical signal the model was built with', async () => {
    const { embeddings } = await encoder.embed({
      texts: ['the cat sat on the mat', 'a cat on a mat', 'quantum chromodynamics lecture notes'],
      inputType: 'document',
    });
    const [cat, cat2, physics] = embeddings;
    expect(cosineSimilarity(cat!, cat2!)).toBeCloseTo(0.324, 2);
    expect(cosineSimilarity(cat!, physics!)).toBeCloseTo(0.056, 2);
  });

  it('truncates a 100,000-character text to the model limit instead of failing', async () => {
    const long = 'retrieval augmented generation '.repeat(3300).slice(0, 100_000);
    expect(long.length).toBe(100_000);
    expect(encoder.countTokens([long])).toEqual([512]);
    const { embeddings, usage } = await encoder.embed({ texts: [long, 'short'], inputType: 'document' });
    expect(usage?.tokens).toBe(512 + 3);
    // Truncation keeps the start: the same as embedding a prefix that already fills the window.
    const prefix = long.slice(0, 20_000);
    const [fromPrefix] = (await encoder.embed({ texts: [prefix], inputType: 'document' })).embeddings;
    expect(maxAbsDiff(embeddings[0]!, fromPrefix!)).toBeLessThanOrEqual(1e-6);
  });

  it('applies a user maxLength below the model limit', async () => {
    const short = await createOnnxEncoder({ model: bowBert, maxLength: 8, intraOpNumThreads: 1 });
    try {
      expect(short.countTokens(['one two three four five six seven eight nine ten'])).toEqual([8]);
      const [a, b] = (
        await short.embed({
          texts: ['one two three four five six', 'one two three four five six seven eight nine ten'],
          inputType: 'document',
        })
      ).embeddings;
      expect(maxAbsDiff(a!, b!)).toBeLessThanOrEqual(1e-6);
    } finally {
      await short.close();
    }
  });

  it('gives the empty string a defined, finite vector', async () => {
    const [empty] = (await encoder.embed({ texts: [''], inputType: 'document' })).embeddings;
    expect(empty).toHaveLength(128);
    expect(empty!.every(Number.isFinite)).toBe(true);
  });

  it('rejects bad input with INVALID_ARGUMENT naming it', async () => {
    const bad = [
      { texts: 'text' },
      { texts: ['ok', null] },
      { texts: [undefined] },
      { texts: [{ text: 'x' }] },
      { texts: ['ok'], inputType: 'passage' },
      null,
    ];
    for (const request of bad) {
      const error = await rejectionOf(encoder.embed(request as never));
      expect(error.code, JSON.stringify(request)).toBe('INVALID_ARGUMENT');
    }
    expect(
      (await rejectionOf(encoder.embed({ texts: ['ok', 7 as never], inputType: 'query' }))).message,
    ).toContain('texts[1]');
  });

  it('aborts between batches', async () => {
    const small = await createOnnxEncoder({ model: bowBert, maxBatchSize: 1, intraOpNumThreads: 1 });
    try {
      const controller = new AbortController();
      const texts = Array.from({ length: 200 }, (_, i) => `text number ${i}`);
      const pending = small.embed({ texts, inputType: 'document', signal: controller.signal });
      setTimeout(() => controller.abort(), 5);
      const error = await rejectionOf(pending);
      expect(error.code).toBe('ABORTED');
    } finally {
      await small.close();
    }
  });
});

describe('model configuration', () => {
  it('uses sentence-transformers pooling from modules.json and 1_Pooling/config.json', async () => {
    const modules = JSON.stringify([
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.models.Transformer' },
      { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      { idx: 2, name: '2', path: '2_Normalize', type: 'sentence_transformers.models.Normalize' },
    ]);
    const pooling = (mode: string) =>
      JSON.stringify({
        word_embedding_dimension: 64,
        pooling_mode_cls_token: mode === 'cls',
        pooling_mode_mean_tokens: mode === 'mean',
        pooling_mode_max_tokens: mode === 'max',
        pooling_mode_mean_sqrt_len_tokens: false,
      });
    const texts = ['the cat sat on the mat', '北京是中国的首都'];
    const results: Record<string, Float32Array[]> = {};
    for (const mode of ['cls', 'max', 'mean']) {
      const dir = modelWith(tinyBert, { 'modules.json': modules, '1_Pooling/config.json': pooling(mode) });
      const encoder = await createOnnxEncoder({ model: dir, intraOpNumThreads: 1 });
      expect(encoder.pooling).toBe(mode);
      results[mode] = (await encoder.embed({ texts, inputType: 'document' })).embeddings;
      await encoder.close();
      // an explicit option wins over the files
      const explicit = await createOnnxEncoder({ model: dir, pooling: 'mean', intraOpNumThreads: 1 });
      expect(explicit.pooling).toBe('mean');
      await explicit.close();
    }
    expect(maxAbsDiff(results.cls![0]!, results.mean![0]!)).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(results.max![0]!, results.mean![0]!)).toBeGreaterThan(1e-3);
  });

  it('CLS pooling takes the first token vector, unaffected by padding', async () => {
    const dir = modelWith(tinyBert, {});
    const encoder = await createOnnxEncoder({
      model: dir,
      pooling: 'cls',
      normalize: false,
      intraOpNumThreads: 1,
    });
    const [alone] = (await encoder.embed({ texts: ['hi'], inputType: 'document' })).embeddings;
    const [padded] = (
      await encoder.embed({
        texts: ['hi', 'a much longer text that forces padding of the first'],
        inputType: 'document',
      })
    ).embeddings;
    expect(maxAbsDiff(alone!, padded!)).toBeLessThanOrEqual(1e-5);
    expect(encoder.normalized).toBe(false);
    await encoder.close();
  });

  it('rejects pooling it cannot reproduce, and a Dense head the ONNX graph lacks', async () => {
    const both = modelWith(tinyBert, {
      'modules.json': JSON.stringify([
        { idx: 1, name: '1', path: '1_Pooling', type: 'sentence_transformers.models.Pooling' },
      ]),
      '1_Pooling/config.json': JSON.stringify({
        pooling_mode_cls_token: true,
        pooling_mode_mean_tokens: true,
      }),
    });
    const error = await rejectionOf(createOnnxEncoder({ model: both }));
    expect(error.code).toBe('UNSUPPORTED');
    expect(error.message).toContain('1_Pooling/config.json');
    const dense = modelWith(tinyBert, {
      'modules.json': JSON.stringify([
        { idx: 2, name: '2', path: '2_Dense', type: 'sentence_transformers.models.Dense' },
      ]),
    });
    expect((await rejectionOf(createOnnxEncoder({ model: dense }))).code).toBe('UNSUPPORTED');
  });

  it('reads max_seq_length and prompts from sentence-transformers configs', async () => {
    const dir = modelWith(bowBert, {
      'sentence_bert_config.json': JSON.stringify({ max_seq_length: 32, do_lower_case: false }),
      'config_sentence_transformers.json': JSON.stringify({
        prompts: { query: 'query: ', document: 'passage: ' },
      }),
    });
    const encoder = await createOnnxEncoder({ model: dir, intraOpNumThreads: 1 });
    expect(encoder.maxLength).toBe(32);
    expect(encoder.prompts).toEqual({ query: 'query: ', document: 'passage: ' });
    // The prompt is part of the text: a query differs from the same text as a document.
    const [q] = (await encoder.embed({ texts: ['cats'], inputType: 'query' })).embeddings;
    const [d] = (await encoder.embed({ texts: ['cats'], inputType: 'document' })).embeddings;
    expect(maxAbsDiff(q!, d!)).toBeGreaterThan(1e-3);
    expect(encoder.countTokens(['cats'], 'query')).toEqual([5]); // [CLS] query : cats [SEP]
    await encoder.close();
  });

  it('picks prompt presets from the model id, and takes explicit prompts', async () => {
    expect(presetForModel('intfloat/multilingual-e5-small')).toBe('e5');
    expect(presetForModel('Xenova/e5-small-v2')).toBe('e5');
    expect(presetForModel('Xenova/bge-small-en-v1.5')).toBe('bge-en');
    expect(presetForModel('Xenova/bge-small-zh-v1.5')).toBe('bge-zh');
    expect(presetForModel('nomic-ai/nomic-embed-text-v1.5')).toBe('nomic');
    expect(presetForModel('Xenova/all-MiniLM-L6-v2')).toBe('none');
    const e5 = await createOnnxEncoder({ model: bowBert, prompts: 'e5', intraOpNumThreads: 1 });
    expect(e5.prompts).toEqual({ query: 'query: ', document: 'passage: ' });
    const [viaPreset] = (await e5.embed({ texts: ['cats'], inputType: 'query' })).embeddings;
    await e5.close();
    const plain = await createOnnxEncoder({ model: bowBert, intraOpNumThreads: 1 });
    const [byHand] = (await plain.embed({ texts: ['query: cats'], inputType: 'query' })).embeddings;
    await plain.close();
    expect(maxAbsDiff(viaPreset!, byHand!)).toBeLessThanOrEqual(1e-6);
    await expect(createOnnxEncoder({ model: bowBert, prompts: 'e6' as never })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      details: { component: 'createOnnxEncoder', issues: [{ path: 'prompts' }] },
    });
  });
});

describe('bad models and options', () => {
  it('names a missing model folder or file', async () => {
    expect((await rejectionOf(createOnnxEncoder({ model: '/no/such/model' }))).code).toBe('MODEL_NOT_FOUND');
    const noOnnx = modelWith(tinyBert, {}, ['config.json', 'tokenizer.json', 'tokenizer_config.json']);
    const error = await rejectionOf(createOnnxEncoder({ model: noOnnx }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain('onnx/model.onnx');
    const q8 = await rejectionOf(createOnnxEncoder({ model: tinyBert, dtype: 'q8' }));
    expect(q8.code).toBe('MODEL_NOT_FOUND');
    expect(q8.message).toContain('model_quantized.onnx');
  });

  it('reports a corrupt ONNX file as MODEL_INVALID', async () => {
    const dir = modelWith(tinyBert, { 'onnx/model.onnx': 'this is not protobuf' });
    const error = await rejectionOf(createOnnxEncoder({ model: dir }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain(join(dir, 'onnx', 'model.onnx'));
  });

  it('rejects a graph with the wrong inputs (a decoder LM is no sentence encoder)', async () => {
    const error = await rejectionOf(createOnnxEncoder({ model: assetPath('models', 'stories260k') }));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toMatch(/unsupported input\(s\) position_ids/);
  });

  it('rejects a cross-encoder graph (logits, no token states)', async () => {
    const error = await rejectionOf(
      createOnnxEncoder({ model: assetPath('models', 'tiny-random-cross-encoder') }),
    );
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain(
      'missing output last_hidden_state or token_embeddings or sentence_embedding',
    );
  });

  it('rejects bad options with one INVALID_CONFIG naming each, before loading anything', async () => {
    for (const options of [
      { maxBatchSize: 0 },
      { maxBatchTokens: -1 },
      { maxLength: 1.5 },
      { workers: -1 },
      { pooling: 'sum' },
      { intraOpNumThreads: 0 },
      { typo: true },
    ]) {
      const error = await rejectionOf(createOnnxEncoder({ model: tinyBert, ...options } as never));
      expect(error, JSON.stringify(options)).toMatchObject({
        code: 'INVALID_CONFIG',
        details: { component: 'createOnnxEncoder', issues: [{ path: Object.keys(options)[0] }] },
      });
    }
    const both = await rejectionOf(
      createOnnxEncoder({ model: '/no/such/model', maxBatchSize: 0, workers: -1 }),
    );
    expect(both.code).toBe('INVALID_CONFIG'); // not MODEL_NOT_FOUND: options are checked first
    expect(both.message).toMatch(/maxBatchSize: .*; workers: /);
    const none = await rejectionOf(createOnnxEncoder(undefined as never));
    expect(none.code).toBe('INVALID_CONFIG');
  });
});

describe('worker threads', () => {
  it('give the same vectors as the calling thread, in order, and honour abort', async () => {
    const inThread = await createOnnxEncoder({ model: bowBert, intraOpNumThreads: 1 });
    const pooled = await createOnnxEncoder({
      model: bowBert,
      intraOpNumThreads: 1,
      workers: 2,
      maxBatchSize: 8,
    });
    try {
      const texts = Array.from({ length: 120 }, (_, i) => `document ${i}: ${'word '.repeat(i % 37)}检索${i}`);
      const a = (await inThread.embed({ texts, inputType: 'document' })).embeddings;
      const b = await pooled.embed({ texts, inputType: 'document' });
      b.embeddings.forEach((v, i) => {
        expect(maxAbsDiff(v, a[i]!)).toBeLessThanOrEqual(1e-6);
      });
      expect(b.usage?.tokens).toBe(inThread.countTokens(texts).reduce((x, y) => x + y, 0));
      const controller = new AbortController();
      controller.abort();
      expect(
        (await rejectionOf(pooled.embed({ texts, inputType: 'document', signal: controller.signal }))).code,
      ).toBe('ABORTED');
    } finally {
      await inThread.close();
      await pooled.close();
    }
  });
});
