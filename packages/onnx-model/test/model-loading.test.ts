import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import {
  assertGraphSignature,
  isLocalModelRef,
  loadModelTokenizer,
  loadOnnxModel,
  onnxFileForDtype,
  openModelSource,
  Tensor,
  WEIGHT_PINS,
} from '../src/index.js';

const tinyBert = assetPath('models', 'tiny-random-bert');

/** A temp model folder with the given files copied from tiny-random-bert (tests only; never inside the repo). */
function modelCopy(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'ragloom-model-'));
  for (const file of files) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    copyFileSync(join(tinyBert, file), join(dir, file));
  }
  return dir;
}

describe('model references', () => {
  it('tells local folders from hub ids', () => {
    expect(isLocalModelRef(tinyBert)).toBe(true);
    expect(isLocalModelRef('./models/x')).toBe(true);
    expect(isLocalModelRef('~/models/x')).toBe(true);
    expect(isLocalModelRef('Xenova/all-MiniLM-L6-v2')).toBe(false);
    expect(isLocalModelRef('bert-base-uncased')).toBe(false);
  });

  it('names a missing folder or file', async () => {
    expect(() => openModelSource('/no/such/model')).toThrowError(/\/no\/such\/model/);
    const source = openModelSource(tinyBert);
    const error = await rejectionOf(source.file('onnx/model_quantized.onnx'));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toContain(join(tinyBert, 'onnx/model_quantized.onnx'));
    expect(await source.optionalFile('modules.json')).toBeUndefined();
    const outside = await rejectionOf(source.file('../bow-bert-128/config.json'));
    expect(outside.code).toBe('INVALID_ARGUMENT');
  });

  it('maps dtypes to the Optimum/transformers.js file names', () => {
    expect(onnxFileForDtype('fp32')).toBe('onnx/model.onnx');
    expect(onnxFileForDtype('q8')).toBe('onnx/model_quantized.onnx');
    expect(onnxFileForDtype('fp16')).toBe('onnx/model_fp16.onnx');
    expect(() => onnxFileForDtype('float64' as never)).toThrowError(/dtype/);
  });
});

describe('loadOnnxModel on a local folder', () => {
  it('loads configs, tokenizer and a session whose graph is inspected', async () => {
    const model = await loadOnnxModel(tinyBert, { intraOpNumThreads: 1 });
    expect(model.config.hidden_size).toBe(64);
    expect(model.generationConfig).toBeUndefined();
    expect(model.maxLength).toBe(512);
    expect(model.graph.inputs).toEqual([
      { name: 'input_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'attention_mask', type: 'int64', shape: ['batch_size', 'sequence_length'] },
      { name: 'token_type_ids', type: 'int64', shape: ['batch_size', 'sequence_length'] },
    ]);
    const enc = model.tokenizer.encode('the cat sat on the mat');
    const t = (a: number[]) => new Tensor('int64', BigInt64Array.from(a.map(BigInt)), [1, a.length]);
    const out = await model.session.run({
      input_ids: t(enc.ids),
      attention_mask: t(enc.ids.map(() => 1)),
      token_type_ids: t(enc.tokenTypeIds),
    });
    expect(out.last_hidden_state?.dims).toEqual([1, enc.ids.length, 64]);
    await model.close();
  });

  it('reads generation_config.json when the model has one', async () => {
    const model = await loadOnnxModel(assetPath('models', 'stories260k'));
    expect(model.generationConfig).toMatchObject({ bos_token_id: 1, eos_token_id: 2 });
    await model.close();
  });

  it('rejects a graph without the inputs the adapter needs (MODEL_INVALID)', async () => {
    const error = await rejectionOf(
      loadOnnxModel(tinyBert, {
        expectGraph: { requiredInputs: ['input_ids', 'attention_mask'], requiredOutputs: ['logits'] },
      }),
    );
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain('unsupported input(s) token_type_ids');
    expect(error.message).toContain('missing output logits');
    expect(() =>
      assertGraphSignature(
        { inputs: [{ name: 'pixel_values', type: 'float32', shape: [] }], outputs: [] },
        { requiredInputs: ['input_ids'] },
        'x.onnx',
      ),
    ).toThrowError(/missing input\(s\) input_ids/);
  });

  it('reports a corrupt ONNX file as MODEL_INVALID and a missing one as MODEL_NOT_FOUND', async () => {
    const dir = modelCopy(['config.json', 'tokenizer.json', 'tokenizer_config.json']);
    const missing = await rejectionOf(loadOnnxModel(dir));
    expect(missing.code).toBe('MODEL_NOT_FOUND');
    expect(missing.message).toContain('onnx/model.onnx');

    mkdirSync(join(dir, 'onnx'));
    const bytes = readFileSync(join(tinyBert, 'onnx', 'model.onnx'));
    writeFileSync(join(dir, 'onnx', 'model.onnx'), bytes.subarray(0, bytes.length / 3));
    const truncated = await rejectionOf(loadOnnxModel(dir));
    expect(truncated.code).toBe('MODEL_INVALID');
    expect(truncated.message).toContain(join(dir, 'onnx', 'model.onnx'));

    writeFileSync(
      join(dir, 'onnx', 'model.onnx'),
      'version https://git-lfs.github.com/spec/v1\noid sha256:abc\nsize 123\n',
    );
    expect((await rejectionOf(loadOnnxModel(dir))).code).toBe('MODEL_INVALID');
  });

  it('reports malformed JSON configs as MODEL_INVALID naming the file', async () => {
    const dir = modelCopy(['tokenizer.json', 'onnx/model.onnx']);
    writeFileSync(join(dir, 'config.json'), '{"hidden_size": 64,');
    const error = await rejectionOf(loadOnnxModel(dir));
    expect(error.code).toBe('MODEL_INVALID');
    expect(error.message).toContain(join(dir, 'config.json'));

    writeFileSync(join(dir, 'config.json'), '{}');
    writeFileSync(join(dir, 'tokenizer.json'), '{"model": {"type": "Nonsense"}}');
    const tok = await rejectionOf(loadModelTokenizer(openModelSource(dir)));
    expect(tok.code).toBe('MODEL_INVALID');
    expect(tok.message).toContain('tokenizer.json');
  });
});

describe('weight pins', () => {
  it('are the values of the shared WEIGHT_PINS.txt', () => {
    const text = readFileSync(assetPath('tokenizers', 'WEIGHT_PINS.txt'), 'utf8');
    for (const [repo, files] of Object.entries(WEIGHT_PINS)) {
      for (const [file, pin] of Object.entries(files)) {
        const base = file.split('/').at(-1)!;
        const line = text.split('\n').find((l) => l.startsWith(`${repo} `) && l.includes(base));
        expect(line, `${repo} ${file}`).toBeDefined();
        expect(line).toMatch(new RegExp(`sha256 ${pin.sha256} size ${pin.size}\\b`));
      }
    }
  });
});
