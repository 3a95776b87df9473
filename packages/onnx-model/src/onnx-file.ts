import { posix } from 'node:path';
import { RagloomError } from '@ragloom/core';
import type { JsonObject } from './model-config.js';

/**
 * Weight variants and their file suffixes, exactly as transformers.js names them (`DEFAULT_DTYPE_SUFFIX_MAPPING`
 * in 4.3.1, which follows Optimum's `model_quantized.onnx`): `fp32` → `model.onnx`, `q8` → `model_quantized.onnx`,
 * every other dtype → `model_<dtype>.onnx`.
 */
export const DTYPE_FILE_SUFFIXES = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
  q2: '_q2',
  q2f16: '_q2f16',
  q1: '_q1',
  q1f16: '_q1f16',
} as const;

export type ModelDtype = keyof typeof DTYPE_FILE_SUFFIXES;

export const MODEL_DTYPES = Object.keys(DTYPE_FILE_SUFFIXES) as ModelDtype[];

/** Base names an encoder or reranker loads (`onnx/model{suffix}.onnx`). */
export const ENCODER_MODEL_FILE_NAMES: readonly string[] = ['model'];

/**
 * Base names a decoder loads, in order: `model` (onnx-community, transformers.js ≥ 3 exports), else Optimum's
 * merged decoder `decoder_model_merged` (one graph with `use_cache_branch` and an If node; older Xenova repos).
 */
export const DECODER_MODEL_FILE_NAMES: readonly string[] = ['model', 'decoder_model_merged'];

/** Which ONNX file to load; every field is optional (the defaults give `onnx/model.onnx`). */
export interface OnnxFileOptions {
  /** Weights. Default: `config.json` `transformers.js_config.dtype` (as transformers.js), else `fp32`. */
  readonly dtype?: ModelDtype;
  /** The file's base name, to which the dtype suffix is added (transformers.js `model_file_name`). */
  readonly modelFileName?: string;
  /** The folder inside the model holding the ONNX files (transformers.js `subfolder`). Default `onnx`. */
  readonly subfolder?: string;
  /** An explicit file inside the model (`onnx/decoder_model_merged_quantized.onnx`); overrides the three above. */
  readonly modelFile?: string;
}

/** The file chosen, and why: what `ragloom doctor` reports and `OnnxModel.onnxFile` exposes. */
export interface OnnxFileChoice {
  /** Path inside the model (`onnx/model_q4f16.onnx`). */
  readonly file: string;
  /** Base name (`model`, `decoder_model_merged`), undefined for an explicit file of another shape. */
  readonly baseName: string | undefined;
  /** The dtype the file is, undefined when an explicit file's name does not say. */
  readonly dtype: ModelDtype | undefined;
  readonly dtypeFrom: 'option' | 'config.json' | 'default' | 'file name';
  /** Files beside it holding its weights (`onnx/model.onnx_data`, `..._data_1`). */
  readonly externalData: readonly string[];
}

const isDtype = (value: unknown): value is ModelDtype =>
  typeof value === 'string' && (MODEL_DTYPES as readonly string[]).includes(value);

/** `INVALID_ARGUMENT` unless `dtype` is one of {@link MODEL_DTYPES}. */
export function assertModelDtype(dtype: unknown): asserts dtype is ModelDtype {
  if (!isDtype(dtype)) {
    throw new RagloomError(
      'INVALID_ARGUMENT',
      `dtype must be one of ${MODEL_DTYPES.join(', ')}, got "${String(dtype)}"`,
      { details: { dtype } },
    );
  }
}

/** The ONNX file for a dtype, relative to the model folder. */
export function onnxFileForDtype(dtype: ModelDtype = 'fp32', baseName = 'model', subfolder = 'onnx'): string {
  assertModelDtype(dtype);
  return posix.join(subfolder, `${baseName}${DTYPE_FILE_SUFFIXES[dtype]}.onnx`);
}

// Longest suffix first, so `_q4f16` is not read as `_q4` + "f16".
const SUFFIXES_LONGEST_FIRST = MODEL_DTYPES.filter((d) => d !== 'fp32').sort(
  (a, b) => DTYPE_FILE_SUFFIXES[b].length - DTYPE_FILE_SUFFIXES[a].length,
);

/** `onnx/decoder_model_merged_q4f16.onnx` → `{ baseName: 'decoder_model_merged', dtype: 'q4f16' }`. */
export function parseOnnxFileName(path: string): { baseName: string; dtype: ModelDtype } | undefined {
  const name = posix.basename(path);
  if (!name.endsWith('.onnx')) return undefined;
  const stem = name.slice(0, -'.onnx'.length);
  for (const dtype of SUFFIXES_LONGEST_FIRST) {
    const suffix = DTYPE_FILE_SUFFIXES[dtype];
    if (stem.endsWith(suffix) && stem.length > suffix.length) {
      return { baseName: stem.slice(0, -suffix.length), dtype };
    }
  }
  return { baseName: stem, dtype: 'fp32' };
}

const transformersJsConfig = (config: JsonObject | undefined): JsonObject | undefined => {
  const value = config?.['transformers.js_config'];
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
};

/**
 * transformers.js keys per-file settings by session name, and a single-graph model's session is `model` whatever
 * its file is called (`decoder_model_merged` included).
 */
const SESSION_NAME = 'model';

/**
 * The dtype `config.json` asks for: `transformers.js_config.dtype`, a string or a map by session name
 * (`{ "model": "q4f16" }`). `auto` and unknown names count as unset, as in transformers.js.
 */
export function configDtype(config: JsonObject | undefined): ModelDtype | undefined {
  const dtype = transformersJsConfig(config)?.dtype;
  if (isDtype(dtype)) return dtype;
  if (typeof dtype === 'object' && dtype !== null) {
    const perSession = (dtype as JsonObject)[SESSION_NAME];
    if (isDtype(perSession)) return perSession;
  }
  return undefined;
}

/**
 * How many external-data files `config.json` says an ONNX file has (`transformers.js_config.
 * use_external_data_format`: true / a count, or a map by file name or session name), or undefined when it says
 * nothing — then a `<file>_data` beside the graph is looked for.
 */
export function configExternalDataChunks(config: JsonObject | undefined, file: string): number | undefined {
  const setting = transformersJsConfig(config)?.use_external_data_format;
  const count = (value: unknown): number | undefined =>
    value === true ? 1 : value === false ? 0 : typeof value === 'number' && value >= 0 ? value : undefined;
  if (typeof setting === 'object' && setting !== null) {
    const byName = setting as JsonObject;
    return count(byName[posix.basename(file)]) ?? count(byName[SESSION_NAME]) ?? 0;
  }
  return count(setting);
}

/** `model.onnx_data`, `model.onnx_data_1`, ... (transformers.js' chunk names). */
export function externalDataFiles(file: string, chunks: number): string[] {
  return Array.from({ length: chunks }, (_, i) => `${file}_data${i === 0 ? '' : `_${i}`}`);
}

/** What the model folder (or repository) holds, for choosing a file and for saying what to set instead. */
export interface ModelFiles {
  /** Does the model have this file? (For hub models the loader fetches it while answering.) */
  has(path: string): Promise<boolean>;
  /** The files directly in a folder of the model, or undefined when that cannot be known (offline, no cache). */
  list(folder: string): Promise<FolderListing | undefined>;
}

export interface FolderListing {
  /** Paths inside the model. */
  readonly files: readonly string[];
  /** Where the listing came from: the folder itself, the hub's file tree, or the files cached so far. */
  readonly from: 'folder' | 'hub' | 'cache';
}

function quoteList(items: readonly string[]): string {
  const quoted = items.map((i) => `'${i}'`);
  return quoted.length <= 1 ? (quoted[0] ?? '') : `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}`;
}

/**
 * What to set so that a model whose expected file is missing loads: `set dtype 'q4f16'`, `set modelFileName
 * 'decoder_model_merged'`, `set subfolder ''`. Pure: from the listing of the ONNX folder (and of the top level).
 */
export function missingOnnxFileHint(
  wanted: { readonly baseNames: readonly string[]; readonly subfolder: string },
  folder: FolderListing | undefined,
  topLevel: FolderListing | undefined,
): string {
  if (folder === undefined) return '';
  const holder = folder.from === 'cache' ? 'the cached copy of this model has' : 'this model has';
  const onnx = folder.files.filter((f) => f.endsWith('.onnx'));
  if (onnx.length === 0) {
    const top = (topLevel?.files ?? []).filter((f) => f.endsWith('.onnx'));
    if (top.length > 0 && wanted.subfolder !== '') {
      return `; ${holder} its ONNX files at the top level (${top.join(', ')}): set subfolder ''`;
    }
    return folder.from === 'cache'
      ? `; nothing under ${wanted.subfolder || 'the top level'} is cached yet: go online once to download it`
      : `; ${holder} no .onnx files under ${wanted.subfolder || 'the top level'}/: use an ONNX export of it (Optimum, transformers.js, onnx-community/ or Xenova/ repos)`;
  }
  const parsed = onnx.map((file) => ({ file, ...parseOnnxFileName(file)! }));
  const usable = parsed.filter((p) => wanted.baseNames.includes(p.baseName));
  const pick = usable.length > 0 ? usable : parsed;
  const only = pick.length === 1 ? 'only ' : '';
  const settings: string[] = [];
  const bases = [...new Set(pick.map((p) => p.baseName))];
  if (!bases.some((b) => wanted.baseNames.includes(b))) settings.push(`modelFileName ${quoteList(bases)}`);
  const dtypes = [...new Set(pick.map((p) => p.dtype))];
  settings.push(`dtype ${quoteList(dtypes)}`);
  return `; ${holder} ${only}${pick.map((p) => p.file).join(', ')}: set ${settings.join(' and ')}`;
}

/**
 * Chooses the ONNX file the way transformers.js does — `<subfolder>/<modelFileName><dtype suffix>.onnx`, the dtype
 * from the option, else `config.json`, else fp32 — and, without `modelFileName`, the first of `baseNames` that
 * exists (decoders fall back to a merged decoder). Then its external data: the chunks `config.json` declares
 * (each must exist), else a `<file>_data` if there is one. A missing file is `MODEL_NOT_FOUND` naming it and
 * what to set instead.
 */
export async function chooseOnnxFile(
  files: ModelFiles,
  config: JsonObject | undefined,
  options: OnnxFileOptions & {
    readonly baseNames?: readonly string[];
    /** How to name a file in messages (a local path, `onnx/model.onnx of org/name`). */
    readonly locate?: (file: string) => string;
  } = {},
): Promise<OnnxFileChoice> {
  const subfolder = options.subfolder ?? 'onnx';
  const locate = options.locate ?? ((file: string) => file);
  if (options.dtype !== undefined) assertModelDtype(options.dtype);
  const baseNames =
    options.modelFileName !== undefined
      ? [options.modelFileName]
      : (options.baseNames ?? ENCODER_MODEL_FILE_NAMES);
  const notFound = async (file: string, why: string, fix?: string): Promise<never> => {
    const hint =
      fix ??
      missingOnnxFileHint(
        { baseNames, subfolder },
        await files.list(subfolder),
        subfolder === '' ? undefined : await files.list(''),
      );
    throw new RagloomError('MODEL_NOT_FOUND', `${locate(file)} ${why}${hint}`, {
      details: { file, hint: hint.replace(/^; /, '') },
    });
  };

  let choice: Omit<OnnxFileChoice, 'externalData'> | undefined;
  if (options.modelFile !== undefined) {
    if (!(await files.has(options.modelFile))) await notFound(options.modelFile, 'does not exist');
    const parsed = parseOnnxFileName(options.modelFile);
    choice = {
      file: options.modelFile,
      baseName: parsed?.baseName,
      dtype: parsed?.dtype,
      dtypeFrom: 'file name',
    };
  } else {
    const tried: string[] = [];
    for (const baseName of baseNames) {
      const fromConfig = configDtype(config);
      const dtype = options.dtype ?? fromConfig ?? 'fp32';
      const file = onnxFileForDtype(dtype, baseName, subfolder);
      tried.push(file);
      if (await files.has(file)) {
        const dtypeFrom = options.dtype ? 'option' : fromConfig ? 'config.json' : 'default';
        choice = { file, baseName, dtype, dtypeFrom };
        break;
      }
    }
    if (choice === undefined) {
      await notFound(
        tried[0]!,
        tried.length > 1 ? `(nor ${tried.slice(1).join(', ')}) does not exist` : 'does not exist',
      );
    }
  }
  const chosen = choice!;
  const declared = configExternalDataChunks(config, chosen.file);
  let externalData: string[] = [];
  if (declared === undefined) {
    const [guess] = externalDataFiles(chosen.file, 1);
    if (await files.has(guess!)) externalData = [guess!];
  } else {
    externalData = externalDataFiles(chosen.file, declared);
    for (const data of externalData) {
      if (!(await files.has(data))) {
        await notFound(
          data,
          'does not exist',
          `; it holds the weights of ${chosen.file} (config.json transformers.js_config.use_external_data_format): put it beside that file`,
        );
      }
    }
  }
  return { ...chosen, externalData };
}

/** One line for people: `onnx/decoder_model_merged.onnx (merged decoder; dtype fp32 from config.json)`. */
export function describeOnnxFile(choice: OnnxFileChoice): string {
  const notes: string[] = [];
  if (choice.baseName?.startsWith('decoder_model_merged')) notes.push('merged decoder');
  if (choice.dtype !== undefined) notes.push(`dtype ${choice.dtype} from ${choice.dtypeFrom}`);
  if (choice.externalData.length > 0) notes.push(`external data ${choice.externalData.join(', ')}`);
  return notes.length > 0 ? `${choice.file} (${notes.join('; ')})` : choice.file;
}
