import { readFile } from 'node:fs/promises';
import { RagloomError } from '@ragloom/core';

/** Reads a JSON file written by ragloom, naming the file when it is missing a field or not JSON. */
export async function readJsonFile(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new RagloomError('NOT_FOUND', `${what} ${path} cannot be read: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new RagloomError(
      'INDEX_CORRUPT',
      `${what} ${path} is not valid JSON: ${(error as Error).message}`,
      {
        cause: error,
        details: { path },
      },
    );
  }
}
