import { describe, expect, it } from 'vitest';
import {
  checkEmbeddings,
  option,
  parseOptions,
  truncateText,
  vendorFailure,
  wrappedEmbeddingOptions,
} from '../src/adapter/index.js';
import { isRagloomError, RagloomError } from '../src/index.js';

const refusal = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    if (isRagloomError(error)) return error;
    throw error;
  }
  throw new Error('expected a RagloomError');
};

describe('truncateText', () => {
  it('keeps short texts and cuts long ones to maxChars UTF-16 units', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcdef', 4)).toBe('abcd');
  });

  it('never splits a surrogate pair: the high half is dropped with its partner', () => {
    const text = 'ab😀cd'; // 😀 is two UTF-16 units at 2 and 3
    expect(truncateText(text, 3)).toBe('ab');
    expect(truncateText(text, 4)).toBe('ab😀');
    expect([...truncateText('😀😀😀', 5)]).toEqual(['😀', '😀']);
  });
});

describe('checkEmbeddings', () => {
  const check = { count: 2, dimension: 3, normalize: false, source: 'test model' };

  it('returns Float32Array copies, normalised when asked', () => {
    const vectors = checkEmbeddings(
      [
        [3, 0, 4],
        [0, 0, 0],
      ],
      check,
    );
    expect(vectors.map((v) => [...v])).toEqual([
      [3, 0, 4],
      [0, 0, 0],
    ]);
    const unit = checkEmbeddings(
      [
        [3, 0, 4],
        [0, 0, 0],
      ],
      { ...check, normalize: true },
    );
    expect([...unit[0]!].map((x) => Number(x.toFixed(6)))).toEqual([0.6, 0, 0.8]);
    expect([...unit[1]!]).toEqual([0, 0, 0]); // a zero vector stays zero
  });

  it('refuses a wrong count, a wrong length and a non-finite value, naming the source', () => {
    const count = refusal(() => checkEmbeddings([[1, 2, 3]], check));
    expect(count.code).toBe('UPSTREAM_ERROR');
    expect(count.message).toBe('test model returned 1 embeddings for 2 texts');
    expect(refusal(() => checkEmbeddings(undefined, check)).message).toBe(
      'test model returned no embeddings for 2 texts',
    );
    const length = refusal(() =>
      checkEmbeddings(
        [
          [1, 2, 3],
          [1, 2],
        ],
        check,
      ),
    );
    expect(length.code).toBe('DIMENSION_MISMATCH');
    expect(length.details).toEqual({ expected: 3, actual: 2, index: 1 });
    const nan = refusal(() =>
      checkEmbeddings(
        [
          [1, 2, 3],
          [1, Number.NaN, 3],
        ],
        check,
      ),
    );
    expect(nan.code).toBe('UPSTREAM_ERROR');
    expect(nan.message).toBe('test model returned a non-finite value');
  });
});

describe('vendorFailure', () => {
  const mapped = (error: unknown) => new RagloomError('UPSTREAM_ERROR', `mapped: ${String(error)}`);

  it('is ABORTED when the signal fired, whatever the vendor threw, with the signal reason as cause', () => {
    const controller = new AbortController();
    controller.abort(new Error('user left'));
    const error = vendorFailure(new Error('socket hang up'), controller.signal, 'embedding', mapped);
    expect(error.code).toBe('ABORTED');
    expect(error.message).toBe('embedding was aborted');
    expect((error.cause as Error).message).toBe('user left');
  });

  it("is ABORTED for a vendor's abort error without a signal, else the adapter's mapping", () => {
    const abort = Object.assign(new Error('aborted'), { name: 'AbortError' });
    expect(vendorFailure(abort, undefined, 'generation', mapped).code).toBe('ABORTED');
    const other = vendorFailure('boom', new AbortController().signal, 'generation', mapped);
    expect(other.code).toBe('UPSTREAM_ERROR');
    expect(other.message).toBe('mapped: boom');
  });
});

describe('wrappedEmbeddingOptions', () => {
  const schema = option.object({ ...wrappedEmbeddingOptions });

  it('requires a dimension and defaults maxInputChars and normalize', () => {
    expect(parseOptions(schema, { dimension: 8 }, { component: 'test' })).toEqual({
      dimension: 8,
      maxInputChars: 32_768,
      normalize: false,
    });
    const error = refusal(() => parseOptions(schema, { dimension: 0 }, { component: 'test' }));
    expect(error.code).toBe('INVALID_CONFIG');
    expect(error.message).toContain('dimension');
  });
});
