import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assetPath } from '@ragloom/test-utils';

export const storiesDir = () => assetPath('models', 'stories260k');
export const smolLmTokenizerDir = () => assetPath('tokenizers', 'SmolLM-360M-Instruct');

/** The 60 greedy tokens after BOS from llama2.c's reference decoder (numpy port), shipped with the model. */
export function referenceTokens(): number[] {
  return JSON.parse(
    readFileSync(assetPath('models', 'stories260k', 'original', 'tools', 'ref_tokens.json'), 'utf8'),
  ) as number[];
}

/**
 * A temporary copy of stories260k made of symlinks (nothing is copied), with some JSON files replaced, to test
 * how the generator reads configs. Returns the folder and a cleanup function.
 */
export function storiesVariant(overrides: Record<string, unknown>): { dir: string; cleanup: () => void } {
  const source = storiesDir();
  const dir = mkdtempSync(join(tmpdir(), 'ragloom-stories-'));
  for (const entry of readdirSync(source)) {
    if (entry in overrides || entry === 'original') continue;
    symlinkSync(join(source, entry), join(dir, entry));
  }
  for (const [file, content] of Object.entries(overrides)) {
    if (content === undefined) continue;
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function readStoriesJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(storiesDir(), file), 'utf8')) as Record<string, unknown>;
}
