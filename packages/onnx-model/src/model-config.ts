import { readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';
import type { ModelSource } from './model-source.js';

export type JsonObject = { readonly [key: string]: unknown };

/** Reads and parses a JSON object file; a malformed file is `MODEL_INVALID` naming the file and the parse error. */
export async function readJsonFile(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RagloomError('MODEL_NOT_FOUND', `cannot read ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new RagloomError('MODEL_INVALID', `${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new RagloomError('MODEL_INVALID', `${path} must hold a JSON object`, { details: { path } });
  }
  return value as JsonObject;
}

/** A JSON file the model must have (`config.json`). */
export async function readModelJson(source: ModelSource, path: string): Promise<JsonObject> {
  return readJsonFile(await source.file(path));
}

/** A JSON file the model may have (`generation_config.json`, `modules.json`); undefined when absent. */
export async function readOptionalModelJson(
  source: ModelSource,
  path: string,
): Promise<JsonObject | undefined> {
  const local = await source.optionalFile(path);
  return local === undefined ? undefined : readJsonFile(local);
}

/** A positive integer field, or undefined (HF writes 1e30 as "no limit" in `model_max_length`). */
export function positiveIntField(config: JsonObject | undefined, key: string): number | undefined {
  const value = config?.[key];
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e9 ? value : undefined;
}
