import { basename } from 'node:path';
import type { OnnxModel } from './onnx-model.js';

/**
 * The id an adapter reports for a loaded model (and that index manifests store): the hub repo id, else
 * `config.json`'s `_name_or_path`, else the folder name.
 */
export function defaultModelId(model: Pick<OnnxModel, 'source' | 'config'>, ref: string): string {
  if (model.source.repoId !== undefined) return model.source.repoId;
  const named = model.config._name_or_path;
  if (typeof named === 'string' && named.length > 0) return named;
  return basename(model.source.dir ?? ref);
}
