import { describe, expect, it } from 'vitest';
import {
  checkSearch,
  checkUpsert,
  createConnectionLifecycle,
  option,
  parseOptions,
} from '../src/adapter/index.js';
import { isRagloomError } from '../src/index.js';

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

describe('createConnectionLifecycle', () => {
  it('opens once for concurrent callers, and again after a failed open', async () => {
    let opens = 0;
    let fail = true;
    const lifecycle = createConnectionLifecycle('the test retriever', async () => {
      opens++;
      await Promise.resolve();
      if (fail) throw new Error('server down');
      return { opened: opens };
    });
    const first = await Promise.allSettled(Array.from({ length: 5 }, () => lifecycle.ready()));
    expect(opens).toBe(1);
    expect(first.every((r) => r.status === 'rejected')).toBe(true);
    fail = false;
    const values = await Promise.all(Array.from({ length: 5 }, () => lifecycle.ready()));
    expect(opens).toBe(2);
    expect(new Set(values).size).toBe(1);
    lifecycle.forget(); // the index was dropped: the next use opens (and creates) again
    expect(await lifecycle.ready()).toEqual({ opened: 3 });
  });

  it('save and close wait for tracked writes; after close, use is refused and release ran once', async () => {
    const lifecycle = createConnectionLifecycle('the test retriever', async () => 'open');
    const write = deferred();
    const events: string[] = [];
    void lifecycle.track(write.promise.then(() => events.push('write done')));
    const failing = lifecycle.track(Promise.reject(new Error('write failed')));
    await expect(failing).rejects.toThrow('write failed'); // the writer sees its own failure
    const saved = lifecycle.settle().then(() => events.push('saved'));
    let releases = 0;
    const closed = lifecycle.close(async () => {
      releases++;
      events.push('released');
    });
    await expect(lifecycle.ready()).rejects.toSatisfy(
      (e: unknown) => isRagloomError(e, 'INVALID_ARGUMENT') && /the test retriever is closed/.test(String(e)),
    );
    expect(events).toEqual([]);
    write.resolve();
    await Promise.all([saved, closed, lifecycle.close(async () => void releases++)]);
    expect(events).toEqual(['write done', 'saved', 'released']);
    expect(releases).toBe(1);
  });
});

describe('option.implementing', () => {
  it('accepts an object with the methods (structurally) and names what was expected otherwise', () => {
    const schema = option.object({
      client: option.implementing<{ query(): void }>('a client (query)', ['query']),
    });
    class Other {
      query() {}
    }
    expect(parseOptions(schema, { client: new Other() }, { component: 't' }).client).toBeInstanceOf(Other);
    expect(() => parseOptions(schema, { client: { query: 1 } }, { component: 't' })).toThrow(
      /client: expected a client \(query\)/,
    );
  });
});

describe('checkUpsert / checkSearch', () => {
  const manifest = { kind: 'dense', encoderModelId: 'e', dimension: 2, metric: 'cosine' } as const;
  const codeOf = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return isRagloomError(error) ? error.code : 'not a RagloomError';
    }
    return 'accepted';
  };

  it('refuse an aborted call before looking at the input, then check it against the manifest', () => {
    const aborted = AbortSignal.abort();
    const bad = [{ id: 'a', text: 'a', vector: [1, 2, 3] }];
    expect(codeOf(() => checkUpsert(bad, manifest, aborted))).toBe('ABORTED');
    expect(codeOf(() => checkUpsert(bad, manifest, undefined))).toBe('DIMENSION_MISMATCH');
    expect(checkUpsert([{ id: 'a', text: 'a', vector: [1, 0] }], manifest, undefined).vectors?.[0]).toEqual(
      Float32Array.from([1, 0]),
    );
    expect(codeOf(() => checkSearch({ vector: [1, 0, 0], k: 1, signal: aborted }, manifest))).toBe('ABORTED');
    expect(codeOf(() => checkSearch({ vector: [1, 0], k: 0 }, manifest))).toBe('INVALID_ARGUMENT');
    expect(checkSearch({ vector: [0, 1], k: 1 }, manifest)).toEqual(Float32Array.from([0, 1]));
  });
});
