import { cp, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionIssuePaths, pluginTestContext } from '@ragloom/conformance';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOnnxReranker } from '../src/index.js';
import { ragloomPlugin } from '../src/ragloom-plugin.js';

const MODEL = assetPath('models', 'tiny-random-cross-encoder');
const QUERY = 'how many people live in berlin?';
const DOCUMENTS = [
  'Berlin has 3.5 million inhabitants.',
  'Paris is in France.',
  '柏林的人口大约有三百七十万。',
];

/**
 * The reranker chooses its ONNX file by the shared rules (onnx-model's `chooseOnnxFile`, checked against
 * transformers.js there). Here: the options reach them, and the errors name what to set. The cross-encoder is the
 * only reranker among the shared assets, so its graph is copied under the file names other exports use.
 */
describe('reranker ONNX file choice (dtype, config.json, modelFileName)', () => {
  let scratch: string;
  let expected: number[];
  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'ragloom-reranker-files-'));
    const reference = await createOnnxReranker({ model: MODEL, intraOpNumThreads: 1 });
    expected = await reference.score(QUERY, DOCUMENTS);
    await reference.close();
  });
  afterAll(() => rm(scratch, { recursive: true, force: true }));

  /** A copy of the cross-encoder whose graph is named `file` (and optionally a config.json edit). */
  async function copyAs(name: string, file: string, dtype?: string): Promise<string> {
    const dir = join(scratch, name);
    await cp(MODEL, dir, { recursive: true });
    await rename(join(dir, 'onnx/model.onnx'), join(dir, file));
    if (dtype) {
      const config = JSON.parse(await readFile(join(dir, 'config.json'), 'utf8'));
      await writeFile(
        join(dir, 'config.json'),
        JSON.stringify({ ...config, 'transformers.js_config': { dtype } }),
      );
    }
    return dir;
  }

  it('loads model_quantized.onnx for dtype q8, or from config.json, and scores with it', async () => {
    const bare = await copyAs('q8-bare', 'onnx/model_quantized.onnx');
    const configured = await copyAs('q8-config', 'onnx/model_quantized.onnx', 'q8');
    for (const options of [{ model: bare, dtype: 'q8' as const }, { model: configured }]) {
      const reranker = await createOnnxReranker({ ...options, intraOpNumThreads: 1 });
      expect(await reranker.score(QUERY, DOCUMENTS)).toEqual(expected);
      await reranker.close();
    }
    const error = await rejectionOf(createOnnxReranker({ model: bare }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(
      `${join(bare, 'onnx/model.onnx')} does not exist; this model has only onnx/model_quantized.onnx: set dtype 'q8'`,
    );
  });

  it('the plugin passes dtype, modelFileName and subfolder through, and rejects an unknown dtype', async () => {
    const dir = await copyAs('named', 'reranker_fp16.onnx');
    const options = { model: dir, dtype: 'fp16', modelFileName: 'reranker', subfolder: '' } as const;
    expect(await optionIssuePaths(ragloomPlugin.reranker!.optionsSchema, options)).toEqual([]);
    const reranker = await ragloomPlugin.reranker!.create(options, pluginTestContext('reranker', scratch));
    expect((await reranker.rerank({ query: QUERY, documents: DOCUMENTS })).map((r) => r.index)).toHaveLength(
      3,
    );
    await reranker.close?.();
    expect(
      await optionIssuePaths(ragloomPlugin.reranker!.optionsSchema, { model: dir, dtype: 'int4' }),
    ).toEqual(['dtype']);
  });
});
