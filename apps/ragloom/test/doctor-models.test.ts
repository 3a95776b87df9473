import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { BM25_CONFIG, makeProject, runCli } from './helpers/project.js';

const layout = (name: string) => assetPath('model-layouts', name);

describe('ragloom doctor names the ONNX layout and dtype of each configured model', () => {
  it('reports the file, dtype and layout it found, and what to set when a file is missing', async () => {
    const good = makeProject(
      {},
      {
        ...BM25_CONFIG,
        encoder: { use: '@ragloom/encoder-onnx', options: { model: layout('tiny-random-bert-q8') } },
        reranker: {
          use: '@ragloom/reranker-onnx',
          options: { model: assetPath('models', 'tiny-random-cross-encoder') },
        },
        generator: { use: '@ragloom/generator-onnx', options: { model: layout('stories260k-merged') } },
      },
    );
    const bad = makeProject(
      {},
      {
        ...BM25_CONFIG,
        generator: { use: '@ragloom/generator-onnx', options: { model: layout('stories260k-q4f16') } },
        encoder: {
          use: '@ragloom/encoder-onnx',
          options: { model: layout('stories260k-external'), dtype: 'fp16' },
        },
      },
    );
    const [ok, problems] = await Promise.all([
      runCli(['doctor'], { cwd: good, timeoutMs: 60_000 }),
      runCli(['doctor'], { cwd: bad, timeoutMs: 60_000 }),
    ]);
    expect(ok.stdout).toContain(
      `✔ encoder: ${layout('tiny-random-bert-q8')} → ${layout('tiny-random-bert-q8')} (encoder): onnx/model_quantized.onnx (dtype q8 from config.json)`,
    );
    expect(ok.stdout).toContain('(reranker): onnx/model.onnx (dtype fp32 from config.json)');
    expect(ok.stdout).toContain(
      '(generator): onnx/decoder_model_merged.onnx (merged decoder; dtype fp32 from config.json)',
    );

    // stories260k-q4f16 has dtype q4f16 in config.json, so it loads; the encoder asks for a file that is not there.
    expect(problems.stdout).toContain('(generator): onnx/model_q4f16.onnx (dtype q4f16 from config.json)');
    expect(problems.stdout).toContain(
      `✖ encoder: ${layout('stories260k-external')}/onnx/model_fp16.onnx does not exist; this model has only onnx/model.onnx: set dtype 'fp32'`,
    );
    expect(problems.stdout).toContain("fix: set dtype 'fp32' in the encoder's options");
    expect(problems.code).toBe(1);
  });
});
