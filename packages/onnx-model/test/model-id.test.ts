import { assetPath } from '@ragloom/test-utils';
import { describe, expect, it } from 'vitest';
import { defaultModelId, openModelSource } from '../src/index.js';

describe('defaultModelId', () => {
  const dir = assetPath('models', 'tiny-random-cross-encoder');
  it('prefers the hub repo id, then config _name_or_path, then the folder name', () => {
    const local = openModelSource(dir);
    expect(defaultModelId({ source: local, config: { _name_or_path: 'org/exported' } }, dir)).toBe(
      'org/exported',
    );
    expect(defaultModelId({ source: local, config: {} }, dir)).toBe('tiny-random-cross-encoder');
    expect(defaultModelId({ source: local, config: { _name_or_path: '' } }, dir)).toBe(
      'tiny-random-cross-encoder',
    );
    const hub = openModelSource('Xenova/ms-marco-MiniLM-L-6-v2', { offline: true, env: {} });
    expect(
      defaultModelId({ source: hub, config: { _name_or_path: 'other' } }, 'Xenova/ms-marco-MiniLM-L-6-v2'),
    ).toBe('Xenova/ms-marco-MiniLM-L-6-v2');
  });
});
