import { describe, expect, it } from 'vitest';
import {
  assertComponentShape,
  assertRagloomPlugin,
  defineRagloomPlugin,
  option,
} from '../src/adapter/index.js';
import { createHashingEncoder, createMemoryKeywordRetriever, isRagloomError } from '../src/index.js';

const failure = (run: () => unknown): string => {
  try {
    run();
  } catch (error) {
    return isRagloomError(error, 'PLUGIN_ERROR') ? error.message : `not a PLUGIN_ERROR: ${String(error)}`;
  }
  return 'accepted';
};

describe('assertRagloomPlugin (what the app checks on every plugin it loads)', () => {
  const good = defineRagloomPlugin({
    name: 'good',
    retriever: { options: option.object({}), create: () => createMemoryKeywordRetriever() },
  });

  it('accepts a plugin made with defineRagloomPlugin', () => {
    expect(failure(() => assertRagloomPlugin(good, 'good'))).toBe('accepted');
  });

  it('refuses, naming the package and the problem', () => {
    expect(failure(() => assertRagloomPlugin(null, 'pkg'))).toContain('not an object');
    expect(failure(() => assertRagloomPlugin({ ...good, specificationVersion: 'v2' }, 'pkg'))).toContain(
      '"v2"',
    );
    expect(failure(() => assertRagloomPlugin({ specificationVersion: 'v1' }, 'pkg'))).toContain(
      'provides no component',
    );
    expect(failure(() => assertRagloomPlugin({ specificationVersion: 'v1', encoder: {} }, 'pkg'))).toContain(
      'encoder.create must be a function',
    );
    expect(
      failure(() =>
        assertRagloomPlugin(
          { specificationVersion: 'v1', encoder: { create() {}, optionsSchema: {} } },
          'pkg',
        ),
      ),
    ).toContain('encoder.optionsSchema is not a Standard Schema');
    expect(failure(() => assertRagloomPlugin({ ...good, name: 42 }, 'pkg'))).toContain('name must be');
  });
});

describe('assertComponentShape (what the app checks on what create built)', () => {
  it('accepts a v1 component of the kind and refuses another kind, naming what is missing', () => {
    expect(failure(() => assertComponentShape('retriever', createMemoryKeywordRetriever(), 'x'))).toBe(
      'accepted',
    );
    const wrong = failure(() =>
      assertComponentShape('retriever', createHashingEncoder({ dimension: 4 }), 'x'),
    );
    expect(wrong).toContain('method upsert() is missing');
    expect(wrong).toContain('manifest must be a object');
    expect(failure(() => assertComponentShape('encoder', null, 'x'))).toContain('returned null');
  });
});
