import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env, ModelRegistry, PretrainedConfig } from '@huggingface/transformers';
import { assetPath, rejectionOf } from '@ragloom/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chooseOnnxFile,
  DECODER_MODEL_FILE_NAMES,
  inspectModelFiles,
  type JsonObject,
  listHubFolder,
  loadOnnxModel,
  MODEL_DTYPES,
  type ModelDtype,
  type ModelFiles,
  missingOnnxFileHint,
  onnxFileForDtype,
  parseOnnxFileName,
} from '../src/index.js';
import { type FakeHub, startFakeHub } from '../src/testing/fake-hub.js';

env.allowRemoteModels = false;

const LAYOUTS = readdirSync(assetPath('model-layouts'), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name);
const layout = (name: string) => assetPath('model-layouts', name);
const readConfig = (dir: string): JsonObject => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));

/**
 * A model holding every .onnx file, and the external-data files transformers.js would fetch: the choice then
 * depends on the naming rules only (a data file we expect that transformers.js does not is missing here).
 */
const allGraphsAnd = (dataFiles: readonly string[]): ModelFiles => ({
  has: async (path) => path.endsWith('.onnx') || dataFiles.includes(path),
  list: async () => undefined,
});

/** A temp copy of a layout folder (tests may delete or edit files in it). */
function layoutCopy(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `ragloom-${name}-`));
  cpSync(layout(name), dir, { recursive: true });
  return dir;
}

describe('file-name rules (the same as transformers.js 4.3.1)', () => {
  it('picks the file and external data transformers.js would, for every layout config × dtype × model_file_name', async () => {
    const llama = { model_type: 'llama', architectures: ['LlamaForCausalLM'] };
    const configs: Array<[string, JsonObject]> = [
      ...LAYOUTS.map((name): [string, JsonObject] => [name, readConfig(layout(name))]),
      ['no transformers.js_config', { ...llama }],
      [
        'per-session dtype map',
        { ...llama, 'transformers.js_config': { dtype: { model: 'q4f16', other: 'q8' } } },
      ],
      ['external data count', { ...llama, 'transformers.js_config': { use_external_data_format: 2 } }],
    ];
    let compared = 0;
    for (const [label, config] of configs) {
      for (const dtype of [undefined, ...MODEL_DTYPES]) {
        for (const modelFileName of [undefined, 'decoder_model_merged']) {
          const theirs = (
            await ModelRegistry.get_model_files(`layouts/${label}`, {
              config: new PretrainedConfig(config),
              ...(dtype ? { dtype } : {}),
              ...(modelFileName ? { model_file_name: modelFileName } : {}),
            })
          ).filter((f) => f.startsWith('onnx/'));
          const choice = await chooseOnnxFile(allGraphsAnd(theirs), config, {
            ...(dtype ? { dtype } : {}),
            ...(modelFileName ? { modelFileName } : {}),
          });
          expect([choice.file, ...choice.externalData], `${label} ${dtype} ${modelFileName}`).toEqual(theirs);
          compared++;
        }
      }
    }
    expect(compared).toBe(12 * 13 * 2);
  });

  it('reads dtype and base name back from any file name', () => {
    for (const dtype of MODEL_DTYPES) {
      for (const baseName of ['model', 'decoder_model_merged', 'model_q4_extra']) {
        expect(parseOnnxFileName(onnxFileForDtype(dtype, baseName))).toEqual({ baseName, dtype });
      }
    }
    expect(parseOnnxFileName('onnx/model.onnx_data')).toBeUndefined();
    expect(() => onnxFileForDtype('float64' as ModelDtype)).toThrowError(
      /dtype must be one of fp32, fp16, q8/,
    );
  });
});

describe('what to set when the file is missing', () => {
  const listing = (...files: string[]) => ({ files, from: 'folder' as const });
  const model = { baseNames: ['model'], subfolder: 'onnx' };
  it('names the dtype, model file name or subfolder that would load', () => {
    expect(missingOnnxFileHint(model, listing('onnx/model_q4f16.onnx'), undefined)).toBe(
      "; this model has only onnx/model_q4f16.onnx: set dtype 'q4f16'",
    );
    expect(
      missingOnnxFileHint(model, listing('onnx/model_q4.onnx', 'onnx/model_q4f16.onnx'), undefined),
    ).toBe("; this model has onnx/model_q4.onnx, onnx/model_q4f16.onnx: set dtype 'q4' or 'q4f16'");
    expect(missingOnnxFileHint(model, listing('onnx/decoder_model_merged_quantized.onnx'), undefined)).toBe(
      "; this model has only onnx/decoder_model_merged_quantized.onnx: set modelFileName 'decoder_model_merged' and dtype 'q8'",
    );
    expect(
      missingOnnxFileHint(
        { ...model, baseNames: DECODER_MODEL_FILE_NAMES },
        listing('onnx/decoder_model_merged_fp16.onnx'),
        undefined,
      ),
    ).toBe("; this model has only onnx/decoder_model_merged_fp16.onnx: set dtype 'fp16'");
    expect(missingOnnxFileHint(model, listing(), listing('model.onnx', 'config.json'))).toBe(
      "; this model has its ONNX files at the top level (model.onnx): set subfolder ''",
    );
    expect(missingOnnxFileHint(model, listing('onnx/README.md'), listing('config.json'))).toMatch(
      /this model has no \.onnx files under onnx\/: use an ONNX export/,
    );
    expect(missingOnnxFileHint(model, { files: ['onnx/model_q4.onnx'], from: 'cache' }, undefined)).toBe(
      "; the cached copy of this model has only onnx/model_q4.onnx: set dtype 'q4'",
    );
    expect(missingOnnxFileHint(model, undefined, undefined)).toBe('');
  });
});

describe('every layout in model-layouts/ loads with the options a user passes', () => {
  const cases: Array<[string, ModelDtype, string, string[]]> = [
    ['stories260k-fp16', 'fp16', 'onnx/model_fp16.onnx', []],
    ['stories260k-q4', 'q4', 'onnx/model_q4.onnx', []],
    ['stories260k-q4f16', 'q4f16', 'onnx/model_q4f16.onnx', []],
    ['stories260k-external', 'fp32', 'onnx/model.onnx', ['onnx/model.onnx_data']],
    ['stories260k-merged', 'fp32', 'onnx/decoder_model_merged.onnx', []],
    ['tiny-random-bert-cls', 'fp32', 'onnx/model.onnx', []],
    ['tiny-random-bert-q8', 'q8', 'onnx/model_quantized.onnx', []],
    ['tiny-random-bert-fp16', 'fp16', 'onnx/model_fp16.onnx', []],
    ['tiny-random-xlmr-layout', 'fp32', 'onnx/model.onnx', []],
  ];
  it('covers every folder', () => {
    expect(cases.map((c) => c[0]).sort()).toEqual([...LAYOUTS].sort());
  });
  for (const [name, dtype, file, externalData] of cases) {
    it(`${name}: ${file} with dtype '${dtype}' and with no dtype (config.json)`, async () => {
      const baseNames = name.startsWith('stories') ? DECODER_MODEL_FILE_NAMES : undefined;
      for (const options of [{ dtype }, {}]) {
        const model = await loadOnnxModel(layout(name), { ...options, ...(baseNames ? { baseNames } : {}) });
        expect(model.onnxFile).toMatchObject({ file, dtype, externalData });
        expect(model.onnxFile.dtypeFrom).toBe(options.dtype ? 'option' : 'config.json');
        expect(model.modelPath).toBe(join(layout(name), file));
        await model.close();
      }
    });
  }

  it('a merged decoder is found only by decoders, or by modelFileName', async () => {
    const error = await rejectionOf(loadOnnxModel(layout('stories260k-merged')));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(
      `${join(layout('stories260k-merged'), 'onnx/model.onnx')} does not exist; this model has only onnx/decoder_model_merged.onnx: set modelFileName 'decoder_model_merged' and dtype 'fp32'`,
    );
    const named = await loadOnnxModel(layout('stories260k-merged'), {
      modelFileName: 'decoder_model_merged',
    });
    expect(named.graph.inputs.map((i) => i.name)).toContain('use_cache_branch');
    await named.close();
  });

  it('a dtype whose file is missing names the file and the dtype that exists', async () => {
    const error = await rejectionOf(loadOnnxModel(layout('stories260k-q4f16'), { dtype: 'fp16' }));
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(
      `${join(layout('stories260k-q4f16'), 'onnx/model_fp16.onnx')} does not exist; this model has only onnx/model_q4f16.onnx: set dtype 'q4f16'`,
    );
    const decoder = await rejectionOf(
      loadOnnxModel(layout('stories260k-q4f16'), { dtype: 'q8', baseNames: DECODER_MODEL_FILE_NAMES }),
    );
    expect(decoder.message).toContain(
      'model_quantized.onnx (nor onnx/decoder_model_merged_quantized.onnx) does not exist',
    );
  });

  it('missing external data is MODEL_NOT_FOUND naming it, declared in config.json or not', async () => {
    const declared = layoutCopy('stories260k-external');
    const undeclared = layoutCopy('stories260k-external');
    try {
      rmSync(join(declared, 'onnx/model.onnx_data'));
      const error = await rejectionOf(loadOnnxModel(declared));
      expect(error.code).toBe('MODEL_NOT_FOUND');
      expect(error.message).toContain(
        `${join(declared, 'onnx/model.onnx_data')} does not exist; it holds the weights of onnx/model.onnx`,
      );

      // Without the config key the graph itself names the file (onnxruntime reports it).
      const config = readConfig(undeclared);
      writeFileSync(
        join(undeclared, 'config.json'),
        JSON.stringify({ ...config, 'transformers.js_config': {} }),
      );
      const copy = join(undeclared, 'onnx/model.onnx_data');
      const kept = readFileSync(copy);
      rmSync(copy);
      const fromGraph = await rejectionOf(loadOnnxModel(undeclared));
      expect(fromGraph.code).toBe('MODEL_NOT_FOUND');
      expect(fromGraph.message).toContain(`keeps its weights in ${copy}, which does not exist`);
      writeFileSync(copy, kept);
      const found = await loadOnnxModel(undeclared);
      expect(found.onnxFile.externalData).toEqual(['onnx/model.onnx_data']); // found beside the graph
      await found.close();
    } finally {
      rmSync(declared, { recursive: true, force: true });
      rmSync(undeclared, { recursive: true, force: true });
    }
  });

  it('an invalid dtype is INVALID_ARGUMENT listing the valid ones', async () => {
    const error = await rejectionOf(
      loadOnnxModel(layout('tiny-random-bert-q8'), { dtype: 'int4' as ModelDtype }),
    );
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toContain('dtype must be one of fp32, fp16, q8, int8, uint8, q4, q4f16');
  });
});

describe('hub repositories with these layouts (a local stand-in for the hub)', () => {
  let hub: FakeHub;
  let cacheDir: string;
  const opts = () => ({ cacheDir, endpoint: hub.server.url, env: {} });
  beforeAll(async () => {
    hub = await startFakeHub({
      'onnx-community/stories-external': layout('stories260k-external'),
      'onnx-community/stories-q4f16': layout('stories260k-q4f16'),
      'Xenova/stories-merged': layout('stories260k-merged'),
    });
    cacheDir = mkdtempSync(join(tmpdir(), 'ragloom-layout-hub-'));
  });
  afterAll(async () => {
    await hub.close();
    await rm(cacheDir, { recursive: true, force: true });
  });

  it('downloads a graph and its external data into one snapshot, and runs it', async () => {
    const model = await loadOnnxModel('onnx-community/stories-external', opts());
    expect(model.onnxFile.externalData).toEqual(['onnx/model.onnx_data']);
    const downloaded = hub.requests
      .filter((r) => r.method === 'GET' && r.url.startsWith('/cdn/'))
      .map((r) => r.url);
    expect(downloaded).toEqual([
      '/cdn/onnx-community/stories-external/onnx/model.onnx',
      '/cdn/onnx-community/stories-external/onnx/model.onnx_data',
    ]);
    expect(model.graph.inputs.length).toBe(13);
    await model.close();
    // Each file is asked about once: choosing it already fetched it.
    const heads = hub.requests.filter((r) => r.method === 'HEAD').map((r) => r.url);
    expect(heads.filter((u) => u.endsWith('/onnx/model.onnx'))).toHaveLength(1);
    expect(heads.filter((u) => u.endsWith('/onnx/model.onnx_data'))).toHaveLength(1);
  });

  it('finds a merged decoder in a hub repo, and says what a repo has when the file is missing', async () => {
    const merged = await loadOnnxModel('Xenova/stories-merged', {
      ...opts(),
      baseNames: DECODER_MODEL_FILE_NAMES,
    });
    expect(merged.onnxFile.file).toBe('onnx/decoder_model_merged.onnx');
    await merged.close();

    const error = await rejectionOf(
      loadOnnxModel('onnx-community/stories-q4f16', { ...opts(), dtype: 'fp32' }),
    );
    expect(error.code).toBe('MODEL_NOT_FOUND');
    expect(error.message).toBe(
      "onnx/model.onnx of onnx-community/stories-q4f16 does not exist; this model has only onnx/model_q4f16.onnx: set dtype 'q4f16'",
    );
    // Offline, the hint says what the cache holds (config and tokenizer only, so far).
    const offline = await rejectionOf(
      loadOnnxModel('onnx-community/stories-q4f16', { ...opts(), dtype: 'fp32', offline: true }),
    );
    expect(offline.message).toContain('nothing under onnx is cached yet: go online once');
  });

  it('lists a hub folder across pages, and offline from the cache', async () => {
    const root = await listHubFolder('onnx-community/stories-external', '', opts());
    expect(root).toEqual({
      files: readdirSync(layout('stories260k-external'), { withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => e.name)
        .sort(),
      from: 'hub',
    });
    expect(
      hub.requests.filter((r) => r.url.includes('/tree/') && r.url.endsWith('/tree/main')).length,
    ).toBeGreaterThan(3);
    const cached = await listHubFolder('onnx-community/stories-external', 'onnx', {
      ...opts(),
      offline: true,
    });
    expect(cached).toEqual({ files: ['onnx/model.onnx', 'onnx/model.onnx_data'], from: 'cache' });
    expect(await listHubFolder('nobody/never-cached', 'onnx', { ...opts(), offline: true })).toBeUndefined();
  });
});

describe('inspectModelFiles (for ragloom doctor): the layout and dtype, without opening a session', () => {
  it('names the file, the dtype and where it came from, or what is missing', async () => {
    const external = await inspectModelFiles(layout('stories260k-external'));
    expect(external).toMatchObject({
      status: 'ok',
      summary: 'onnx/model.onnx (dtype fp32 from config.json; external data onnx/model.onnx_data)',
    });
    const merged = await inspectModelFiles(layout('stories260k-merged'), {
      baseNames: DECODER_MODEL_FILE_NAMES,
    });
    expect(merged.summary).toBe(
      'onnx/decoder_model_merged.onnx (merged decoder; dtype fp32 from config.json)',
    );
    const q8 = await inspectModelFiles(layout('tiny-random-bert-q8'), { dtype: 'q8' });
    expect(q8.summary).toBe('onnx/model_quantized.onnx (dtype q8 from option)');
    const missing = await inspectModelFiles(layout('stories260k-q4f16'), { dtype: 'q4' });
    expect(missing).toMatchObject({ status: 'problem' });
    expect(missing.summary).toContain("this model has only onnx/model_q4f16.onnx: set dtype 'q4f16'");
    const outside = await inspectModelFiles(layout('tiny-random-bert-q8'), {
      modelFile: '../tiny-random-bert-cls/onnx/model.onnx',
    });
    expect(outside).toMatchObject({ status: 'problem' });
    expect(outside.summary).toContain('must be relative inside the model');
    const noFolder = await inspectModelFiles('/no/such/model/folder');
    expect(noFolder).toMatchObject({ status: 'problem' });
    expect(noFolder.summary).toContain('/no/such/model/folder does not exist');
  });
});
